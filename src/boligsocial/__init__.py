"""boligsocial: tools for Danish boligsociale helhedsplaner."""
