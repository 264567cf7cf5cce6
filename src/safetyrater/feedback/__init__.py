"""The feedback coach: checks a learner's written feedback note against the rubric.

"Feedback" here is the note a learner writes about a response (what is the
problem, why, what should change). The words the kit says about a learner's
rating are :mod:`safetyrater.grading.explain`; a card's panel after Check is
the card's own (:mod:`safetyrater.kinds`).

* :mod:`.text`: the tokeniser the rules and the learned model share;
* :mod:`.rubric`: ``graders/rubric.toml``, validated and compiled;
* :mod:`.model`: the small learned model that backs the rules (``safetyrater feedback train``);
* :mod:`.check`: :func:`~.check.check_note`, the rules, and the result of a check;
* :mod:`.comments`: the comment bank (``graders/comment_bank.toml``);
* :mod:`.render`: a check as text lines or as the cards' HTML;
* :mod:`.notes_file`: ``safetyrater feedback check`` over a file of notes.
"""
