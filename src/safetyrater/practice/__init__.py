"""Practice on your weak spots: a deck of unseen cases chosen for the learner's own mistake pattern.

:mod:`.weak_spots` reads what the learner answered (lesson decks, exercises an
install can grade itself, mock-assessment attempts), names the patterns and
draws the deck; :mod:`.ui` is the page ``course/weak-spots.ipynb`` shows.
"""
