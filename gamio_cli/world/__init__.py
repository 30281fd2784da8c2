"""The story's world: the shipped worlds (scenarios) and their heroes' names (names), the names
glossary kept across translations (glossary), world info (worldinfo) and the Russian and
English word forms both match by (stemming), the hero's address and gender in words (heroes)
and the Russian morphological analyser, loaded lazily (morph).

May import: only the plain data and seams (story, engine, settings, errors, textsafe).
"""
