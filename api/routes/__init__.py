"""One router per resource; handlers only call services."""
