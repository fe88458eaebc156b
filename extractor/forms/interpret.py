"""Placeholder until the interpreter lands."""
def interpret(layout, info):
    raise NotImplementedError
