"""Settings profiles: ``development`` (default for manage.py), ``test`` and ``production``.

Everything that differs between machines comes from the environment (see README).
"""
