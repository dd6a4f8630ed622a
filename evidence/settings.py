"""Numbers IT sets in the environment (LITREF_TIMEOUT, LITREF_LOCK_WAIT, ...), read one way."""


def positive_number(environ, name, default, unit=""):
    """The positive number in the variable ``name``, or ``default`` when it is unset or empty.

    Raises ValueError naming the variable when it holds anything else."""
    value = environ.get(name, "")
    if value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1
    if number <= 0:
        raise ValueError(f"{name}={value!r} is not a positive number{unit}; unset it or fix it.")
    return number
