"""Built-in transforms, vectorised on Arrow (registered by name in ``builtins/plugin.py``)."""
