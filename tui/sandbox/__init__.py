"""The embedded sandbox: a small emulated Alibaba Cloud on 127.0.0.1.

It is a separate "cloud": it imports nothing of the app.
"""
