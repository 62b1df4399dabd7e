"""Pricing rules: compute purchase options, savings plans, and S3/EBS/EFS storage."""
