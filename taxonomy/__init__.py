"""Taxonomy: the 26 proposed National Standards and 5 multi-agency components as versioned data,
and the taggers that suggest standards for passages."""
