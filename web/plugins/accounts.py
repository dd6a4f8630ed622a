"""Staff sign-in accounts for datasette-auth-passwords, from environment variables only.

Each reviewer has their own variable ``LITREF_PASSWORD_HASH_<NAME>`` holding a
hash made by ``datasette hash-password``; the account name is NAME in lower
case, and it is the reviewer recorded on every change they make. Nothing
secret is in the repository, and IT adds or removes a reviewer by editing the
server's environment (e.g. its systemd EnvironmentFile) and restarting it.
"""

import os

from datasette import hookimpl

HASH_VARIABLE_PREFIX = "LITREF_PASSWORD_HASH_"


def account_variables(environ):
    """{account name: variable name} for every non-empty LITREF_PASSWORD_HASH_<NAME>."""
    return {
        variable[len(HASH_VARIABLE_PREFIX):].lower(): variable
        for variable, value in environ.items()
        if variable.startswith(HASH_VARIABLE_PREFIX)
        and len(variable) > len(HASH_VARIABLE_PREFIX)
        and value.strip()
    }


@hookimpl
def get_metadata():
    # Hook metadata is public at /-/metadata: name the variables, never their values.
    # Datasette resolves {"$env": ...} only when the plugin reads its configuration.
    config = {
        f"{name}_password_hash": {"$env": variable}
        for name, variable in account_variables(os.environ).items()
    }
    return {"plugins": {"datasette-auth-passwords": config}}
