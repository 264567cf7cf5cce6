"""Grading: the one grading core (:mod:`.core`, each case scored by its kind), the words a
learner reads about a scored answer (:mod:`.explain`), agreement and tendencies
(:mod:`.calibration`), and ``safetyrater grade`` (:mod:`.answer_files`)."""
