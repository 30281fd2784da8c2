"""The scripted session the turn-latency benchmark plays: a world, earlier turns, new actions.

Random-weight models write random tokens, so the text the game sees is scripted: every turn
the generator does its real work (55 forced tokens), and the text handed to the game is this
script's continuation revealed one token per generated token. The first sentences end after
9-16 words, as AI Dungeon continuations usually do, so "first Russian sentence on screen" is
measured where a real model would reach it. The text is also the tokenizers' training corpus.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENING_EN = (
    "You are Arin, a wanderer in the northern kingdom of Larn, selling your sword to whoever "
    "pays the most. You carry a notched longsword, a flint, a coil of rope and a letter sealed "
    "with black wax. The letter promised you a hundred gold crowns to guide a stranger through "
    "the Ashwood before the first snow. The Ashwood is an old forest of black pines and grey "
    "stone, where the roads were built by a people nobody remembers, and where the villagers "
    "say the trees move at night. Three travellers went in last winter and only one came back, "
    "and he would not speak of what he saw. You have walked the roads of Larn for eleven years, "
    "fought in two wars and buried more friends than you like to count, and you do not believe "
    "in moving trees. You believe in gold, in a sharp blade and in knowing where the exits are. "
    "Now dusk is falling over the edge of the forest, the snow has begun, and the stranger has "
    "not come. The inn behind you is dark, the horses in the stable are restless, and the old "
    "innkeeper has barred his door. Somewhere among the pines a horse snorts, a branch cracks "
    "under a heavy foot, and you hear slow footsteps on the frozen road behind you."
)

OPENING_RU = (
    "Тебя зовут Арин. Ты скитаешься по северному королевству Ларн и продаёшь свой клинок тому, "
    "кто больше заплатит. Смеркается, снег уже идёт, а незнакомца всё нет."
)


@dataclass(frozen=True)
class ScriptedTurn:
    """A Russian action, the English the translator "returns", and the scripted continuation."""

    action_ru: str
    action_en: str
    continuation_en: str


# Turns already in the story when the session starts (a game in progress fills the window).
EARLIER: tuple[ScriptedTurn, ...] = (
    ScriptedTurn("оборачиваюсь", "I turn around.",
        "A tall woman in a grey cloak stands in the road with a lantern. She says her name is "
        "Mira and that she is the stranger from the letter. Her boots are wet and her hands "
        "shake, but her eyes are calm and cold."),
    ScriptedTurn("спрашиваю, почему она опоздала", "I ask why she is late.",
        "Mira says that riders followed her from the river for two days. She lost them in the "
        "marsh, but she thinks they will find the trail again by morning. She asks if you are "
        "afraid of riders."),
    ScriptedTurn("«Я боюсь только пустого кошелька»", "I am only afraid of an empty purse.",
        "Mira laughs and tosses you a small leather bag. Inside are twenty gold crowns and a "
        "silver ring with a black stone. She says the rest will be paid on the other side of "
        "the forest."),
    ScriptedTurn("рассматриваю кольцо", "I look at the ring.",
        "The black stone is warm to the touch, warmer than it should be in the cold. Tiny "
        "letters run around the band in a script you have never seen. When you turn it to the "
        "lantern, the stone seems to swallow the light."),
    ScriptedTurn("прячу кольцо и иду к лесу", "I hide the ring and walk to the forest.",
        "The road climbs towards the first pines, and the snow falls thicker with every step. "
        "Mira walks behind you with the lantern held low. At the edge of the trees the wind "
        "stops, and the forest is very quiet."),
    ScriptedTurn("зажигаю факел", "I light a torch.",
        "The flint sparks twice before the torch catches. In its light you see old stones "
        "along the road, each carved with the same sign of an open eye. Mira looks at the "
        "signs and says nothing."),
)

# The actions played and timed, in order (the benchmark plays the first --turns of them).
SESSION: tuple[ScriptedTurn, ...] = (
    ScriptedTurn("открываю дверь", "I open the door.",
        "The door of the stone hut creaks open on rusted hinges. Inside, a fire still burns in "
        "the hearth, although nobody is there. A pot of soup hangs over the flames, and two "
        "bowls wait on the table as if somebody expected guests tonight."),
    ScriptedTurn("спрашиваю Миру, кто здесь живёт", "I ask Mira who lives here.",
        "Mira shakes her head and says she has never been this far north. She takes off her "
        "gloves and holds her hands to the fire. You notice a long scar across her palm, old "
        "and white, shaped like the open eye on the stones."),
    ScriptedTurn("беру меч", "I take the sword.",
        "You draw the notched longsword and lay it across your knees. The blade is heavy and "
        "familiar, and the feel of it calms you. Outside the wind begins to howl again, and "
        "something scratches slowly along the wall of the hut."),
    ScriptedTurn("выглядываю в окно", "I look out of the window.",
        "Through the frosted glass you see shapes moving between the trees. They are too tall "
        "to be men and too thin to be bears. One of them stops, turns its pale head towards "
        "the hut, and stands very still in the falling snow."),
    ScriptedTurn("«Мира, что это такое?»", "Mira, what is that?",
        "Mira goes white and steps back from the window. She whispers that they are the "
        "watchers of the wood, and that they only come for those who carry the ring. Then "
        "she looks at your pocket and asks you to give the ring back."),
    ScriptedTurn("отдаю ей кольцо", "I give her the ring.",
        "Mira takes the ring and closes her fist around it. The black stone flares with a cold "
        "light that shines between her fingers. Outside, the scratching stops at once, and the "
        "shapes between the trees begin to walk away into the dark."),
    ScriptedTurn("иду на север", "I go north.",
        "At first light you leave the hut and follow the old road north. The snow has covered "
        "every track, and the pines stand so close that the sky is a thin grey line. By noon "
        "you reach a frozen river with a broken bridge."),
    ScriptedTurn("осматриваю мост", "I examine the bridge.",
        "The bridge was built of the same grey stone as the road, but its middle has fallen "
        "into the river. The ice below looks thick enough to hold a man. On the far bank a "
        "column of smoke rises from behind a low hill."),
    ScriptedTurn("перехожу реку по льду", "I cross the river on the ice.",
        "The ice groans under your boots but holds. Halfway across you hear it crack behind "
        "you, and Mira cries out as one leg goes through. You grab her arm and pull her up, "
        "and together you scramble onto the far bank."),
    ScriptedTurn("поднимаюсь на холм", "I climb the hill.",
        "From the top of the hill you see a small village in a valley, its roofs white with "
        "snow. Smoke rises from every chimney, but nobody walks in the streets. At the edge of "
        "the village a line of riders waits beside a black carriage."),
    ScriptedTurn("прячусь за деревом", "I hide behind a tree.",
        "You drop behind a thick pine and pull Mira down beside you. The riders wear the red "
        "cloaks of the king's guard, and their captain holds a long spear with a banner. He "
        "points towards the hill and shouts an order you cannot hear."),
    ScriptedTurn("ищу другую дорогу", "I look for another road.",
        "Behind the hill a narrow path winds down through the rocks towards the river. It is "
        "steep and covered with ice, but the trees hide it from the valley. Mira nods and "
        "says that the path may lead to the old mill she once saw on a map."),
)

# Russian sentences for the tokenizers' training (the Russian side of the Marian vocabulary).
RUSSIAN_CORPUS = (
    "Дверь со скрипом открывается. Внутри спит дракон. Меч тяжёлый. Старик улыбается. "
    "Дорога ведёт на север. Вы видите тёмный лес. Сверкает молния. Ничего не происходит. "
    "Мира качает головой и говорит, что никогда не была так далеко на севере. "
    "Сквозь замёрзшее стекло ты видишь тени между деревьями. Лёд стонет под сапогами, но "
    "держит. С вершины холма видна маленькая деревня в долине, крыши белые от снега."
)


def english_corpus() -> list[str]:
    """Every English text of the script, for training the benchmark's GPT-2 tokenizer."""
    texts = [OPENING_EN]
    for turn in EARLIER + SESSION:
        texts += [turn.action_en, turn.continuation_en]
    return texts


def russian_corpus() -> list[str]:
    return [OPENING_RU, RUSSIAN_CORPUS] + [turn.action_ru for turn in EARLIER + SESSION]
