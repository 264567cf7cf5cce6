"""Real responses from XSTest (Röttger et al., NAACL 2024): refusal rates, classifier agreement, a labelling deck.

XSTest (``datasets/xstest/``, prompts CC-BY-4.0) holds responses of five model
set-ups to 250 safe prompts that look unsafe and to 200 unsafe contrast prompts,
each labelled full compliance, partial refusal or full refusal by two human
annotators (with a final label), by a string-matching classifier and by a
GPT-4-based classifier.

* :mod:`.schema`: the labels and the row schemas of labelled CSV files;
* :mod:`.data`: XSTest's files and any CSV of labelled responses, read line by line;
* :mod:`.rates`: refusal rates per group (the lesson's tables, ``safetyrater refusal-rates``);
* :mod:`.agreement`: agreement with the human final label;
* :mod:`.sample`: a seeded labelling sample;
* :mod:`.cards`: the labelling cards and Compare.
"""
