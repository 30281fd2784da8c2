"""One turn: parse the player's input (actions), build the prompt (prompt), clean what the
model wrote (postprocess, sentences), stream it sentence by sentence (streaming), make the
Russian agree with the hero's address and gender (agreement, agreement_words), and run it all
through the translators and the generator it is given (runner).

May import: world/ and the plain data and seams (story, engine, settings, errors, textsafe).
It reaches the models only through the engine.Generator and engine.Translator seams.
"""
