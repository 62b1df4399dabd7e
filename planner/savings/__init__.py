"""Savings over time: purchase strategies month by month (``profile`` → ``lifecycle``), S3
lifecycle rules (``s3_policy`` → ``s3_lifecycle``) and right-sizing (``rightsizing``)."""
