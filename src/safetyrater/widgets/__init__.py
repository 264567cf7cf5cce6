"""What the course's pages are made of: the card template every kind fills in, the save
status, HTML escaping, error messages, decks, progress, navigation and the reference
tables a lesson shows."""
