"""The demo payment gateway ("sandbox"): a VNPay 2.1.0 look-alike for demonstrations and tests.

A contrib app of its own, installed only while the demo gateway is on (MOTCUA_PAYMENT_SANDBOX_GATEWAY,
which follows MOTCUA_PAYMENT_PROVIDER="sandbox" unless set): its provider (provider.py), its
gateway (gateway.py: its own books, SandboxTransaction), its pages under /thanh-toan/sandbox/, its
IPN job. No real money moves; every page says it is a demo.
"""
