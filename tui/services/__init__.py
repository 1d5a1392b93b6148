"""The async service layer: the one road to the cloud.

This package imports no Textual and, at import time, no SDK: the SDK modules are
imported by the client modules (cdn, alidns, oss) which the facade loads on first use,
so that the app paints before anything heavy is imported.
"""
