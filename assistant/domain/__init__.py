"""The domain layer: one module per concept every feature reads the same way.

``quantities`` (money, head counts, percentages), ``dates`` (dates, deadlines, report periods), ``regions``
(the gazetteer and "does a measure of A apply in B"), ``vocab`` (qualifications, fields, cooperation modes,
record types, industries — data files in ``assistant/data/vocab.json``).
"""
