"""Keyword rules for what callers mean, in English and French.

Patterns are matched against the normalised line (lower case, straight
apostrophes). Stems are written without a closing word boundary on purpose, so
"suicid" catches suicide, suicidal and suicidaire; each pattern is one class of
phrasing, not one sentence. The safety rules are checked in both languages
whatever the call's language: a French caller on an English line in distress
must still be heard.

These rules are half of the design: a classifier trained on the labelled corpus
catches what they miss (``voicebot.dialogue.classifier``).
"""

from __future__ import annotations

from voicebot.dialogue.dates import MONTH_RE

# Relatives and others who may call for the account holder.
_KIN_EN = (r"(?:husband|wife|spouse|partner|boyfriend|girlfriend|son|daughter|kid|child|mum|mom"
           r"|mother|dad|father|parent|brother|sister|grand(?:ma|pa|mother|father|son|daughter)"
           r"|aunt|uncle|nephew|niece|cousin|friend|neighbou?r|flatmate|roommate|tenant|client"
           r"|boss|employee|carer|caregiver|fianc[ée]e?|in-law|mother-in-law|father-in-law"
           r"|stepson|stepdaughter|stepmother|stepfather|guardian)")
_KIN_FR = (r"(?:mari|femme|[ée]pou(?:x|se)|compagnon|compagne|conjoint|conjointe|copain|copine"
           r"|fils|fille|enfant|m[èe]re|p[èe]re|maman|papa|parents?|fr[èe]re|s(?:œ|oe)ur"
           r"|grand-m[èe]re|grand-p[èe]re|tante|oncle|neveu|ni[èe]ce|cousin|cousine|ami|amie"
           r"|voisin|voisine|locataire|colocataire|coloc|client|cliente|patron|aidant|aidante|tuteur|tutrice"
           r"|curateur|curatrice|belle-m[èe]re|beau-p[èe]re|beau-fr[èe]re|belle-s(?:œ|oe)ur"
           r"|gendre|belle-fille|beau-fils)")
# A hospital that is where the caller works, or a place passed through ("I work at the
# hospital", "the hospital car park"), is no sign of illness.
_NOT_AT_WORK_EN = "".join(rf"(?<!{w} )" for w in (
    "work at the", "work in the", "works at the", "working at the", "work at a", "job at the",
    "nurse at the", "porter at the", "cleaner at the", "shift at the", "shifts at the"))
_NOT_A_PLACE_EN = (r"(?! (?:kitchen|kitchens|car park|parking lot|canteen|cafe|café|shop"
                   r"|laundry|porter|cleaner|job|shift|shifts|reception|staff)\b)")
_NOT_AT_WORK_FR = "".join(rf"(?<!{w})" for w in (
    "travaille à l'", "travaille a l'", "bosse à l'", "bosse a l'", "nettoyage à l'",
    "hall de l'", "parking de l'", "cafétéria de l'", "bosse aux ", "travaille aux "))
# "my dad passed on his old advice", "she passed me the phone": handed on, not a death.
_NOT_HANDED_ON = (r"(?! (?:on|along|over) (?:his|her|their|my|some|a|an|one|any|what|good|that"
                  r"|this|it|the"
                  r" (?:message|info|number|word|details|letter|phone|advice))\b"
                  r"| (?:me|it|him|her|them|the (?:phone|message|letter))\b)")
_NOT_A_NAME_EN = (r"(?:a|an|the|some|help|info|information|advice|my|our|your|this|that|it|"
                  r"payment|payments|a payment|plan|bill|account|debt|balance|reference|money|"
                  r"arrangement|about|because|to|in|on|regarding|myself|me|us|sorting|him|her)")

SAFETY_EN: dict[str, list[str]] = {
    "vulnerable": [
        r"want (?:it all|everything|all of it) to (?:stop|end|be over)", r"hearing voices",
        r"voices (?:in my head|telling me|talking to me)",
        r"\ba (?:and|n) e\b", r"jump off (?:a|the) (?:bridge|building|roof)",
        r"suicid", r"kill(?:ing)? myself", r"end(?:ing)? (?:it all|my life|my own life|things)",
        r"take my (?:own )?life", r"(?:don't|do not|no longer) want to (?:live|be alive|be here"
        r"|wake up)", r"want to die", r"wish i (?:was|were) dead", r"better off dead",
        r"better off without me", r"no (?:point|reason) (?:in )?(?:living|going on|to live)",
        r"(?:can't|cannot|can not) go on", r"(?:can't|cannot) (?:take|cope with|handle) (?:it|this)"
        r" any ?more", r"(?:can't|cannot) cope", r"self[- ]?harm", r"(?:hurt|harm|cut)(?:ing)? "
        r"myself", r"overdose", r"jump (?:off|in front)", r"not (?:safe|okay) (?:right now|at all)",
        r"depress", r"anxiety attack", r"panic attack", r"breakdown", r"mental (?:health|illness|"
        r"breakdown)", r"psychiatr", r"bipolar", r"schizo", r"sectioned", r"crisis team",
        rf"{_NOT_AT_WORK_EN}hospital{_NOT_A_PLACE_EN}", r"hospice", r"intensive care",
        r"\bicu\b", r"\ber\b(?= (?:right now|now))",
        r"chemo", r"cancer", r"tumou?r", r"terminal",
        r"(?<!phone is )(?<!battery is )dying\b(?! to| for)", r"stroke\b",
        r"heart attack", r"seriously (?:ill|sick)", r"(?:very|really|gravely) ill", r"surgery",
        r"operation (?:on|next|tomorrow|last)", r"dementia", r"alzheimer",
        r"memory (?:problems|issues|loss)", r"(?:can't|cannot) remember (?:things|anything)",
        r"passed away", r"(?:just |recently )?died", r"\bdeath\b", r"\bdead\b(?! broke| tired)",
        r"funeral", r"widow", r"bereave", r"grieving", r"lost my (?:husband|wife|partner|son"
        r"|daughter|child|baby|mum|mom|mother|dad|father|brother|sister)",
        r"domestic (?:abuse|violence)", r"abusive", r"(?:he|she|my partner|my husband|my wife)"
        r" (?:hits|beats|hurts|threatens) me", r"afraid of my (?:husband|wife|partner|ex)",
        r"scared (?:for my life|of him|of her)", r"refuge", r"shelter",
        r"(?:don't|do not) see (?:the|any) point", r"(?:don't|do not|no longer) (?:even )?want to"
        r" be (?:here|around|alive)", r"won't be (?:around|here|alive)", r"(?:cutting|burning)"
        r" (?:myself|again)", r"\bpills\b", r"suicide attempt",
        r"(?:made|after|since) (?:an|my|the) attempt on my (?:own )?life",
        r"tried to (?:end it|end things|kill myself|take my (?:own )?life|top myself)",
        rf"(?:passed|died){_NOT_HANDED_ON} (?:last|this|on(?! to\b)|in|away|recently"
        r"|two|a few|yesterday)", r"dialysis", r"\bthe er\b", r"emergency room", r"\ba&e\b",
        r"(?:hit|hits|hitting|beat|beats|beating) me\b", r"gets? (?:violent|angry|aggressive)",
        r"takes? (?:all )?my money", r"not allowed to (?:have|use|spend)", r"controls? (?:all )?"
        r"(?:the|my) money", r"learning (?:difficult|disabilit)", r"my memory", r"anxiety",
        r"jump(?:ing)? off", r"made (?:my|up my) (?:plans|mind)(?! to pay)", r"disappear",
        r"\bgrief\b", r"lost (?:him|her) (?:last|this|in|recently)",
        r"(?:just|recently) lost my(?! (?:job|work|contract|hours|shifts|position|phone|card"
        r"|wallet|keys|bag|licen[cs]e|place|temper|voice|train of thought|benefits|income))",
        r"(?:in|out of) rehab", r"overdos", r"(?:have|got|had) a (?:stroke|seizure|heart attack"
        r"|breakdown)", r"can't (?:think|breathe) straight", r"(?:no|not) (?:eaten|slept) (?:in"
        r"|for)", r"(?:life|everything) (?:is|'s) (?:falling apart|pointless|over)",
        r"(?:what's|what is) the point", r"\bend it\b", r"(?:can't|cannot) keep going",
        r"keep going much longer", r"(?:i'm|i am) (?:terminally|seriously|very) (?:ill|sick)",
        r"hospice", r"carer for my", r"confus(?:ed|ing) (?:lately|these days|all the time)",
        r"(?:easier|better) if i (?:just )?(?:wasn't|weren't|was not|were not) (?:here|around)",
        r"(?:after|when|once) i(?:'m| am) gone", r"given (?:away )?(?:most|all|everything)"
        r" (?:of )?my (?:things|stuff|belongings)", r"giving (?:my|all my) (?:things|stuff)"
        r" away", r"what (?:year|day|month) is it", r"is it (?:monday|tuesday|wednesday"
        r"|thursday|friday|saturday|sunday) today", r"(?:don't|can't|cannot) remember (?:why"
        r"|what|who|where|my)", r"where(?:'s| is| has) my (?:wife|husband|mum|mom|mother"
        r"|son|daughter) gone", r"i thought you were my", r"(?:doesn't|won't|does not|will not)"
        r" let me (?:have|use|see|spend|keep)", r"not a good idea to ask him", r"my late "
        r"(?:father|mother|husband|wife|son|daughter|dad|mum|mom|partner)", r"used to know",
        r"\b(?:ms|multiple sclerosis|parkinson|motor neurone|\bals\b|lupus|kidney failure"
        r"|leuka?emia|hiv|brain injury|paraly[sz]ed|wheelchair|blind|sight loss|copd)\b",
        r"(?:get|getting|i'm|i am|i'm getting) (?:so )?(?:muddled|confused|forgetful|mixed up)",
        r"my (?:head|mind|memory)(?:'s| is)? (?:isn't|is not|not|ain't) what it (?:was|used to"
        r" be)", r"did i already (?:agree|say|pay)", r"(?:he|she|my (?:husband|partner|boyfriend"
        r"|girlfriend|wife|ex)) (?:checks|reads|goes through|monitors|tracks|watches) my (?:phone"
        r"|messages|texts|mail|post|emails|bank|account)", r"if (?:he|she) (?:asks|finds out)",
        r"(?:he|she)(?:'ll| will| would|'d) (?:kill|hurt|hit) me", r"(?:my|our) (?:wife|husband"
        r"|partner|mum|mom|mother|dad|father|son|daughter|brother|sister|baby) (?:passed|died)"
        rf"{_NOT_HANDED_ON}",
        r"(?:took|taken|swallowed|had) (?:a (?:lot|bunch|load|handful) of |all (?:my|the) |some"
        r" |too many )?(?:pills|tablets|sleeping pills)", r"(?:can't|cannot|can no longer)"
        r" (?:manage|handle|cope with) (?:the phone|(?:her|his|my) (?:affairs|money|bills))",
        r"guardianship|conservator", r"in a (?:shelter|refuge)",
        r"(?:can't|cannot|can not|don't) read (?:very |too )?(?:well|good|properly|much)",
        r"(?:numbers|words|letters|figures) (?:go|get|are|look) (?:all )?(?:jumbled|mixed up"
        r"|muddled|blurry|funny)", r"dyslexi", r"illiterate",
        r"(?:can't|cannot) (?:read|write) (?:or|and|nor) (?:read|write)",
        r"(?:can't|cannot|don't know how to) read\b(?! (?:it|that|this|the|your|my|them|those"
        r"|these|what|out|back|off|through|all))", r"my (?:reading|eyesight)"
        r" (?:of english )?is (?:very |not |too |so )?(?:weak|poor|bad|not good|not great)",
        r"(?:not|don't|do not) understand(?:ing)? (?:these|the|your|any of the) letters",
        r"relaps", r"gambling (?:problem|addiction|again)", r"addict", r"drinking again",
        r"autis", r"asperger", r"\badhd\b",
        r"(?:wrote|written|writing) (?:a|my) (?:suicide |goodbye )?note\b(?! (?:of|down|on|to|for"
        r"|with|about|saying))", r"(?:left|leave|leaving) (?:a|my) (?:suicide|goodbye) note",
        r"(?:last night|tonight|yesterday)[^.]{0,40}(?:going|gonna) to do it",
        r"(?:gonna|going to|will|'ll|\bhell|\bshell) (?:hurt|kill|hit|beat) me",
        rf"my late {_KIN_EN}", r"\b(?:my ex|ex-(?:husband|wife|partner|boyfriend|girlfriend))\b"
        r"[^.]{0,25}(?:took out|opened|ran up|put|got)[^.]{0,30}in my name",
        r"(?:partner|husband|wife|boyfriend|girlfriend)[^.]{0,25}(?:took out|ran up)[^.]{0,30}"
        r"in my name (?:without|behind)", r"(?:won't|will not|wont|not) (?:be )?need(?:ing)?"
        r" [^.]{0,30}where i(?:'m| am) going", r"(?:lost|lose|took|stole|taken|gone)"
        r" (?:all )?(?:of )?(?:my|our) (?:savings|life savings|pension)", r"(?:whole|entire)"
        r" (?:pension|savings|life savings) (?:gone|lost)",
        r"alcoholi", r"in recovery", r"\bsober\b",
        r"bed ?(?:bound|ridden)", r"housebound", r"(?:gets?|getting|becomes?) (?:so |very |really"
        r" |easily )?(?:confused|muddled|flustered)", r"headstone|gravestone|\bcoffin\b|my grave\b",
        r"(?:months|weeks|a year|days) to live", r"(?:takes|took|keeps|kept|has) (?:all )?my"
        r" (?:wages|pay|benefits|pension|bank card|cards?)\b", r"(?:keep|kept) forgetting",
        r"evict", r"(?:change|changing) the locks", r"homeless", r"(?:sleeping|living) (?:in"
        r" (?:my|the|our) car|rough|on the street)", r"nowhere (?:to (?:go|live|sleep|stay)|else"
        r" to go)", r"where am i (?:meant|supposed) to (?:go|live)",
        r"(?:in|into|gets? in) (?:a|such a) (?:terrible|right|real|awful|bad|dreadful|proper)"
        r" (?:state|way|panic)", r"(?:don't|do not) understand (?:none|any|half) of"
        r" (?:this|it|that)",
        r"(?:i'm|im|i am|i've been|been|still) (?:still )?(?:on|in) (?:the |a )?(?:\w+ )?ward\b",
        r"(?:haven't|have not|don't have|not) (?:got )?(?:long|much time|much longer) (?:left|to l"
        r"ive)",
        r"not long for this world",
        r"(?:step|stepping|stepped|walk|walking|throw|throwing) (?:myself )?off (?:a|the)"
        r" (?:[\w-]+ ){0,2}(?:bridge|building|roof|cliff|ledge|platform)",
        r"(?:under|in front of) (?:a|the) (?:train|bus|lorry|truck|car)\b",
        r"problems? (?:of|with) (?:the |my )?memory",
        r"i (?:keep )?forget(?:ting)? (?:if|whether|everything|things|what i)",
        r"(?:calling|ringing|phoning|speaking to you) from (?:the|a|my) (?:\w+ )?(?:ward|hospital|"
        rf"hospice|rehab|clinic|hospital bed){_NOT_A_PLACE_EN}",
        r"(?:he|she)(?:'ll| will) (?:go mad|kill me|go spare|lose it|hit the roof)",
        r"(?:he|she) (?:opens|reads|checks|goes through|controls) (?:all )?my (?:post|mail|letters"
        r"|phone|messages|money|bank)",
        r"(?:he|she)(?:'s| has) (?:got|taken|kept) (?:all )?(?:the|my) (?:bank )?cards",
        r"i'll be in (?:big )?trouble if (?:he|she)",
        r"(?:can't|cannot) (?:talk|speak) (?:freely|loud(?:ly)?|for long)(?:,)? (?:he|she)",
        r"(?:get|getting|gets) (?:ever so|very|a bit|really|all) (?:muddled|confused|mixed up)",
        r"never (?:learned|learnt) to read",
        r"(?:just )?(?:wanted|want) to (?:talk|speak) to (?:someone|somebody) (?:before|first)\b",
        r"(?:be|i'll be|i will be|i'd be) (?:dead|gone|six feet under) (?:before|by the time)",
        r"\bdetox\b",
        r"\bstill ?born\b|\bmiscarr",
        r"(?:^|\b(?:on|in) (?:the|a) )(?:psych|sike|sych|psyche|mental health|secure) (?:ward|unit"
        r")\b",
        r"^(?:on|in) (?:the|a) (?:\w+ )?ward (?:till|until|since|for)\b",
        r"\bbi ?polar\b",
        r"(?:can't|cannot|can not) (?:fucking |fuckin |bloody |effing |frigging )(?:take|cope|hand"
        r"le|go on|do this)",
        r"\b(?:he's|she's|he is|she is|he|she|my ex|my partner|my husband|my wife|my boyfriend) (?"
        r":been |keeps? )?threatening me\b",
        r"\b(?:husband|wife|partner|mum|mom|mother|dad|father|son|daughter|brother|sister|nan|gran"
        r"|grandad|grandma|grandpa) (?:passed|past)\b"
        rf"{_NOT_HANDED_ON}(?! (?:the|it|me|him|her|that|this|on to|onto"
        r"|over|by|my|a|an)\b)(?![^.]{0,25}(?:years|a long time|ages|decades) ago)",
        rf"\b(?:since|after|when) (?:\w+ ){{1,2}}(?:passed|died)\b{_NOT_HANDED_ON}"
        r"(?! (?:the|it|me|him|her|that|this|"
        r"on to|onto|over|by|my|a|an)\b)(?![^.]{0,25}(?:years|a long time|ages|decades) ago)",
        r"protective order|restraining order|non-molestation|injunction against (?:him|her|my)",
        r"(?:doesn't|does not|won't|will not|don't|doesnt|wont) let me (?:talk|speak|go out|answer"
        r"|be on the phone|use the phone|make calls|leave)",
        r"\bcarer (?:does|handles|manages|looks after|sorts|deals with) (?:my|all my)",
        r"\b(?:got|have|has|with) m s\b",
        r"need(?:ing)? [^.]{0,30}where (?:i'm|i am) (?:going|headed|off to)",
        r"\b(?:in|into|out of) a coma\b|\blife support\b",
        r"\b(?:not|never) in (?:any|a|the) (?:fit )?state to\b|\bin no (?:fit )?state to\b|\bnot i"
        r"n any state\b",
        r"never (?:found|recovered) (?:him|her|them|the body|his body|her body)\b|lost at sea",
        # Round 17: control shown by what the caller may not do or must hide.
        r"\b(?:i'm|im|i am) not allowed (?:on|to use|near|to be on|to answer) (?:the|my) phone",
        r"\b(?:have|got|need) to be quick,? (?:before )?(?:he|she)(?:'s| is|s)? (?:back|home|gets"
        r" back|comes (?:back|home))",
        r"\b(?:he|she|my ex) (?:already )?(?:found|tracked down|find|finds|tracks down) (?:out )?"
        r"where i (?:live|am|work)",
        # Sight and capacity (hearing alone is not: "my hearing aid's whistling").
        r"\bpartially sighted|\bbraille\b|visually impaired",
        r"\b(?:no longer|doesn't|does not|don't|do not) (?:has|have) (?:the )?(?:mental )?capacity"
        r"|\blost (?:the )?(?:mental )?capacity",
        r"\b(?:things|life|it)(?:'s| is| has| have|s)? been (?:very |really |so |pretty |quite )?"
        r"dark\b|\b(?:a|in a) (?:very |really )?dark place\b|\bdark thoughts\b",
    ],
    "third_party": [
        rf"(?:paying|pay|paid) (?:it|this|the bill|the account) for my {_KIN_EN}\b",
        # Someone else's phone, a business's line, a message taken for the holder.
        r"(?:can|may|shall) i (?:take|pass on) (?:a |down a )?message", r"take (?:down )?what"
        r" it's about", r"(?:i'm|i am) (?:just |only )?(?:the |his |her |their )?(?:receptionist"
        r"|secretary|office manager|intern|temp|babysitter|nanny|cleaner|housekeeper)",
        r"(?:this is|it's|you(?:'ve)? (?:rang|rung|called|reached|got)) (?:the )?(?:[a-z]+ ){0,2}"
        r"(?:office|reception|surgery|school|practice|salon|garage|shop|store|restaurant)\b"
        r"(?: line| number)?", r"business (?:line|number) now", r"(?:isn't|is not|not)"
        r" (?:anybody's|anyone's|somebody's|someone's|a) (?:personal|private|home) (?:number"
        r"|line|phone)", r"(?:they|he|she) (?:don't|doesn't|do not|does not) have this number",
        r"(?<!my )(?<!our )\b(?:mum|mom|mummy|mommy|dad|daddy|nan|nana|gran|grandma|grandpa"
        r"|grandad)(?:'s| is) (?:asleep|sleeping|napping|in the (?:shower|bath)|at work|out"
        r"|not (?:here|home|in|around|available)|away|busy|upstairs|resting)",
        r"(?:i'll|i will|let me) (?:just )?ask (?:him|her|them)\b",
        r"\b(?:he|she) says (?:yes|yeah|no|ok|okay|go ahead|it's|its|his|her|the)\b",
        r"ask (?:him|her|them) when (?:he|she|they) (?:get|gets|come|comes) (?:in|home|back)",
        r"(?:that's|thats) my (?:twin|brother|sister|mum|mom|dad|husband|wife"
        r"|son|daughter|father|mother)\b(?!-|'s (?:house|place|flat|home|address|street))",
        r"(?:we|i) (?:have |'ve )?(?:only )?(?:just )?moved? in (?:last|this|a few|two|three"
        r"|recently|yesterday|on)\b",
        r"(?:don't|do not) know"
        r" (?:any|anyone called|anybody (?:called|named)|a (?:mr|mrs|ms|miss)) [a-z]+",
        r"(?:i )?(?:just|only) (?:picked up|answered)(?! the (?:letter|post|mail))",
        r"found (?:this|the|a) phone",
        r"on behalf of", rf"(?:calling|ringing|phoning|here|call|speaking) (?:for|about) "
        rf"(?:my|his|her|their|our) {_KIN_EN}",
        r"(?:calling|ringing|phoning|speaking) for (?:mr|mrs|ms|miss|dr)\b",
        rf"(?:calling|ringing|phoning) for (?!{_NOT_A_NAME_EN}\b)[a-z]+ [a-z]+\b",
        rf"\b(?:i'm|i am|this is|it's) (?:his|her|their|the account holder's|jane's|john's"
        rf"|the customer's) {_KIN_EN}", rf"\b(?:i'm|i am|this is) [a-z]+'s {_KIN_EN}",
        rf"\bmy {_KIN_EN}(?:'s)? (?:account|bill|debt|balance|name|phone)",
        rf"(?:account|bill|debt|contract|phone) (?:is )?(?:in|under) my {_KIN_EN}'?s? name",
        rf"(?:it's|its|it is) (?:my|for my) {_KIN_EN}'?s?\b",
        r"\b(?:he|she|they)(?:'s| is| are|'re) (?:not (?:here|home|in|around|available)|at work"
        r"|out|away|unavailable|asleep|in (?:the )?hospital|busy|abroad|travell?ing)",
        r"\b(?:he|she|they) (?:asked|wants|wanted|told) me to (?:call|ring|phone|sort)",
        r"not the (?:account ?holder|customer|person on the account)",
        r"(?:i'm|i am) not (?:jane|john|marie|him|her|the one)",
        r"power of attorney", r"\bpoa\b", r"look(?:ing)? after (?:my|his|her) (?:affairs|finances"
        r"|mum|mom|dad|mother|father)", r"deal(?:ing)? with (?:my|his|her) (?:late )?(?:mum|mom"
        r"|dad|mother|father|husband|wife)'?s? (?:affairs|estate|bills|account)",
        r"executor", r"(?:his|her) estate",
        r"(?:registered |her |his )?(?:carer|caregiver|caseworker|case worker|social worker"
        r"|support worker|guardian|interpreter|advocate) (?:for|of)\b", r"(?:i'm|i am) (?:her|his|"
        r"their) (?:carer|caregiver|caseworker|case worker|social worker|support worker|guardian"
        r"|brother|sister|son|daughter|husband|wife|widow|widower|mum|mom|dad|roommate|flatmate"
        r"|neighbou?r|friend|nephew|niece|aunt|uncle|grandson|granddaughter|partner)",
        rf"\bmy {_KIN_EN} (?:(?:passed|died){_NOT_HANDED_ON}|has the account|is in|'s in"
        r"|is the account)",
        rf"(?:its|it's|it is) for [a-z]+ [a-z]+\b.{{0,40}}\b(?:his|her) {_KIN_EN}",
        r"\b(?:her|his) (?:zip|postcode|post code|account|reference|name|balance|date of birth)"
        r" (?:is|number)", r"\b(?:he|she)(?:'s| is) (?:in a hospice|in hospital|sick|asleep"
        r"|sleeping|dead|gone|moved)", r"(?:it's|its|that's|thats) (?:not my|his|her) (?:account"
        r"|number|contract|bill)", r"(?:it's|its) (?:my|his|her) [a-z]+'s (?:account|number"
        r"|contract|bill)", r"pay (?:it )?for (?:her|him)\b", r"calling for (?:her|him)\b",
        r"found (?:your|a|the) letter in (?:his|her)", r"(?:close|closing|sort|sorting) (?:out )?"
        r"(?:his|her) (?:accounts|affairs|estate|bills)", r"(?:check|ask) with my (?:dad|mum"
        r"|mom|husband|wife|father|mother|son|daughter)", r"(?:i'm|i am) just (?:his|her|helping)",
        r"on behalf of (?:our|my) client", r"(?:written )?permission to speak for",
        r"how much (?:he|she) owes",
        rf"(?:it's|its|it is) (?:my|his|her) (?:dead |late )?{_KIN_EN}'?s (?:debt|bill|account"
        r"|letter|post|mail"
        r"|contract|phone|loan)", r"wrong (?:person|number)\b",
        r"(?:previous|last|former|old) (?:tenant|occupant|owner|resident)s?\b",
        r"(?:there's|there is|theres)"
        r" no [a-z]+(?: [a-z]+)? (?:here|at this number|on this number|living here"
        r"|at this address)", r"\b(?:is|'s) (?:no (?:more|longer)|not) (?:living|staying) here",
        r"(?:we|i) (?:have |'ve )?(?:only )?just moved? in\b", r"new people (?:here|now|live)",
        r"\b(?:he|she)(?:'s| is) (?:now )?in (?:a|the) (?:nursing|care|residential|retirement)"
        r" home", r"(?:account|number|bill|contract|phone) (?:belongs|belonged|is registered"
        r"|was registered) to (?:the|my|a|our) (?:company|business|boss|employer|firm|office"
        r"|landlord|landlady)", r"i (?:just|only) (?:work here|answer the phones?)",
        r"(?:no|nobody) (?:called"
        r"|named|by the name(?: of)?) [a-z]+(?: [a-z]+)? (?:lives |living )?(?:here|on this"
        r" number|at this number|at this address)",
        rf"\bnot (?:me|mine)[,.]? (?:it's |its |it is )?(?:my|his|her|our) {_KIN_EN}",
        r"\b(?:he|she)(?:'s| is) (?:in (?:prison|jail|custody)|locked up|incarcerated|inside)",
        r"(?:sort(?:ing)? out|deal(?:ing)? with|settl(?:e|ing)|go(?:ing)? through)"
        r" (?:what|everything|the things|all the stuff|the bills) (?:he|she|they) left",
        r"my late (?:husband|wife|partner|father|mother|dad|mum|mom|son|daughter)(?:'s)?"
        r" (?:name|account|bills?|debts?|paid|had|was|took)",
        rf"(?:under|in) (?:my|his|her) (?:{_KIN_EN}|landlord|landlady|flatmate|ex)'?s? name",
        r"(?:can't|cannot|isn't able to|is not able to|couldn't) (?:come to|get to|use) the phone",
        r"(?:doesn't|does not|don't|do not) live (?:here|at this address|with (?:me|us))"
        r"(?! (?:either|anymore,? (?:i|we)))", r"(?:he|she|they) moved (?:out|away|abroad"
        r"|to)\b",
        r"\bdeputy for\b",
        r"(?:lacks|lack of|without|has no) (?:the )?(?:mental )?capacity",
        r"(?:he|she|they)(?:'s| is| are| will be) (?:unreachable|uncontactable|out at sea|offshore"
        r"|on the rigs|away (?:at sea|on deployment|on tour))",
        r"(?:this|that|it)(?:'s| is| was) (?:her|his|their) (?:\w+ )?(?:contract|account|bill|debt"
        r"|loan|phone|plan)\b",
        r"pay (?:it|this|that|the (?:bill|account|debt))(?: off)? for (?:her|him|them)\b",
        r"(?:he|she) (?:told|asked) me to (?:say|accept|agree|pay|tell you|sort)",
        r"(?:said|says|told me|asked me) to tell you (?:that )?(?:he|she)\b",
        r"(?:i do|i handle|i manage|i look after|i sort) (?:all )?(?:his|her|their) (?:banking|fin"
        r"ances|money|bills|post|affairs|paperwork)",
        r"\b(?:my|our) client\b",
        r"found (?:this|a|the) letter (?:on|in|outside|at|by)",
        r"(?:someone|somebody)(?:'s| else's) (?:account|details|letter|name)",
        r"(?:i'm|i am) (?:the|his|her|their) landlord",
        r"\b(?:mr|mrs|ms|miss) \w+ (?:is asking|asks|wants to know|says|would like)",
        r"\b(?:he|she) (?:reckons|is asking|'s asking|wants to know) (?:if|whether|he|she|it)",
        r"\bon be ?half of\b",
        r"\bit's (?:his|her) (?:card|account|bill|debt|contract|loan|credit card)\b",
    ],
    "stop_contact": [
        r"leave (?:\w+ ){1,3}alone",
        r"\b(?:un ?subscribe|on subscribe) me\b", r"opt (?:me )?out\b",
        r"stop (?:calling|contacting|phoning|ringing|texting|bothering|harass|hassling|bugging"
        r"|chasing|pestering)", r"(?:don't|do not|never) (?:ever )?(?:call|contact|phone|ring"
        r"|text|bother) (?:me|us|this number|here|again|my)", r"quit (?:calling|contacting|ringing"
        r"|bugging|bothering|phoning)", r"leave (?:me|us) alone", r"take (?:me|my number|this "
        r"number) off", r"remove (?:me|my (?:number|details))", r"lose (?:my|this) number",
        r"cease (?:and desist|all|contact|communication|calling)", r"no more (?:calls|phone calls"
        r"|contact)", r"(?:don't|do not) want (?:you|any (?:more )?calls|to be (?:called|contacted)"
        r"|your calls)", r"harass", r"(?:never|don't) (?:want to )?hear from you",
        r"this is the last time you (?:call|contact)", r"block(?:ing)? (?:your|this) number",
        r"quit (?:\w+ )?calling", r"(?:call|ring|phone) me (?:one more time|again) (?:and|i'll"
        r"|i will)", r"no more calls?", r"remove (?:this|my) (?:number|phone)", r"(?:rather|prefer)"
        r" you (?:didn't|did not|don't) (?:call|contact|phone)", r"(?:don't|do not) (?:call|ring"
        r"|phone)\b", r"(?:like|want|need) (?:them|it|the calls|you) to stop", r"stop (?:the|these"
        r"|your) (?:calls|phone calls|calling)", r"(?:only|just) (?:contact|write to) me (?:in"
        r" writing|by (?:mail|email|post|letter))",
        r"leave me (?:the \w+ )?(?:alone|be)", r"not (?:even )?allowed to (?:call|contact|ring)",
        r"(?:stop|quit) (?:calling|ringing|phoning|contacting) (?:my|her|his)",
        r"(?:can't|cannot|not (?:even )?allowed to|not supposed to"
        r"|not permitted to|have no right to) (?:even )?(?:be )?(?:call|calling|contact"
        r"|contacting|ring|ringing|phone|phoning) (?:me|us|here)",
        r"(?:don't|do not|never|stop) (?:call|calling|ring|ringing|phone|phoning|contact"
        r"|contacting) (?:me )?(?:at|on) (?:work|my work|my job|my mobile|my cell|this number"
        r"|my phone)", r"(?:no more|don't want any(?: more)?) (?:letters|texts|emails|messages)",
        r"(?:rather|prefer) (?:you )?(?:have|get|had|to have|to get|put|send|sent)"
        r" (?:it|everything|things|that|this) (?:in writing|in black and white|by (?:post|mail"
        r"|letter)|through the letter ?box)", r"needn't (?:talk|speak) to you",
        r"no (?:contact|calls?|calling|phone calls) (?:at|on|to) (?:work|my work|my job|my mobile"
        r"|my cell|this number)", r"stop sending (?:her|his|their|my|the|me|any) (?:post|mail"
        r"|letters|bills)", r"(?:don't|do not|stop) send(?:ing)? (?:anything|letters|post"
        r"|mail|bills) (?:to|at) (?:the house|my house|my home|home|my address)",
        r"(?:not|never|no longer) (?:to )?(?:get|be) (?:rung|called|phoned|contacted)",
        r"(?:all )?(?:communications?|correspondence|contact|calls?) (?:should|must|is to|are to|w"
        r"ill) (?:now )?(?:go|be directed|be sent|be made|come) (?:through|to|via)",
    ],
    "dispute": [
        # Round 17: "I only owe 200, not 900": the right balance against theirs.
        r"\b(?:i (?:only |just )?owe|(?:the )?balance(?:'s| is)|(?:the )?(?:amount|bill|debt)(?:'s"
        r"| is| should be))(?: only| just| about)? (?:\$|£|€)?\d+"
        r"(?: (?:dollars|pounds|euros|quid))?,? not (?:\$|£|€)?\d+",
        r"(?:paid|pay|settled) (?:off )?(?:the|my) final bill",
        r"(?:can't|cannot|couldn't|could not) (?:possibly )?have used (?:all )?(?:that|this"
        r"|so much)", r"(?:somebody|someone) else's (?:meter|account|bill|debt|phone|number)",
        r"no way (?:that's|that is|thats|it's|its) (?:right|correct|true|mine)",
        r"(?:told|promised) (?:me|us) (?:zero|0|no) (?:percent|%|interest)",
        r"had (?:that|it|the line|the phone|the service) (?:cut off|disconnected|cancell?ed"
        r"|stopped)", r"\b(?:\$?\d+|[a-z]+ (?:hundred|thousand|grand))(?: dollars| pounds| quid"
        r"| euros)? (?:is|was|'s) (?:wrong|not right|incorrect|too much|way too high)",
        r"(?:done|did|made|paid|agreed|had|signed) (?:a |the )?full and final",
        r"(?:was|were|been|got) written off",
        r"(?:don't|do not) (?:think|believe|reckon) i owe (?:all|the whole|that much|this|it"
        r"|you)", r"should (?:of|have|'ve) been (?:included|discharged|written off|wiped|covered)",
        r"what i (?:actually|really) owe",
        r"(?:it was|it's|its|was) \$?[\w,.-]+ on (?:the|my) (?:last |latest )?(?:statement|bill"
        r"|letter)", r"(?:said|told me|promised|assured me) (?:that )?(?:the balance|the debt|it"
        r"|everything|the account) would be (?:cleared|written off|wiped|cancel+ed|zero|closed)",
        r"how (?:can|could) there be (?:any )?(?:usage|charges?|a bill|a balance|anything"
        r" (?:owing|owed|to pay))", r"(?:was|were|would be|should be|supposed to be) capped",
        r"(?:amount|balance|figure|total) keeps (?:changing|going up)", r"every (?:letter|bill"
        r"|statement) says (?:something )?different",
        r"disput", r"not (?:my|mine|our) (?:debt|bill|account|contract|phone|problem|loan)",
        r"(?:isn't|is not|ain't|wasn't) (?:mine|my debt|my bill|my account)",
        r"(?:don't|do not|doesn't|never) owe", r"owe (?:you |them )?nothing", r"i owe nothing",
        r"never (?:had|signed|opened|ordered|used|took out|agreed)", r"already (?:paid|settled"
        r"|cleared|sorted)", r"paid (?:it|this|that|the bill|in full) (?:off |already|last)",
        r"(?:i|we) paid (?:it|this|that)", r"wrong (?:amount|bill|person|balance|account|number"
        r"|figure)", r"fraud", r"identity theft", r"(?:stolen|stole) (?:my )?identity",
        # "I was scammed", not "is this a scam call?" (a request for proof)
        r"(?<!is this a )(?<!is it a )(?<!is this just a )(?<!or is it a )(?<!or a )"
        r"scam(?!s? (?:number|call|caller|text)s?\b)",
        r"(?:cancelled|canceled|closed) (?:that|the|my) (?:account|contract|service|line)",
        r"(?:billing|your) (?:error|mistake)", r"(?:there's|there is|that's|this is|it's|must be)"
        r" (?:a |some )?mistake", r"overcharg",
        r"(?:that|this) (?:is|'s) (?:not right|wrong|incorrect|rubbish|bullshit|nonsense)",
        r"no idea what (?:this|that|you're talking) ", r"don't recogni[sz]e (?:this|that|the)",
        r"never (?:even )?(?:had|got|received|been)", r"(?:that's|that is|it's|its|the balance is"
        r"|balance is|amount is) (?:wrong|not right|too high|double)",
        r"not sure (?:that's|that is)"
        r" right", r"paid (?:some|part|most|half) of (?:that|it|this)", r"after i cancel",
        r"cancell?ation", r"only owe", r"late fee", r"shouldn't be there",
        # "opened in my name", not "this one's in my name"
        "".join(rf"(?<!{w} )" for w in ("one's", "it's", "it is", "account's", "account is",
                                         "bill's", "bill is", "contract's", "contract is",
                                         "all", "been", "still", "is"))
        + r"(?:in|under) my name", r"(?:isn't|is not|not) (?:even )?my debt",
        r"i already paid \d+", r"i paid \d+ (?:already|and (?:you|it)|but (?:you|it))",
        r"(?:i )?pay already",
        r"(?:have|got|kept|keep|hold|show you|found|there's) (?:a |the |my |all the )?"
        r"(?:[\w-]+ ){0,2}receipts?\b",
        r"dispute", r"(?:not|aren't|isn't) legit",
        r"discharged", r"(?:these|the) charges", r"doesn't add up", r"(?:not|never) ordered",
        r"(?:don't|do not) think (?:that's|that is|it's|this is) (?:right|correct|mine|fair)",
        r"(?:took|stole|used|opened|ran up) (?:\w+ )?(?:my (?:cards?|identity|name|details)"
        r"|(?:these|this|the) (?:bills?|debts?|charges))", r"(?:she|he|they) (?:doesn't|does"
        r" not|don't|do not) owe",
        r"not sure (?:that|the|this|your) (?:figure|amount|balance|bill|total|number)(?:'s| is)"
        r" (?:even )?(?:right|correct)",
        r"(?:meter )?reading (?:was|is|were) (?:wrong|lower|off|incorrect"
        r"|estimated|never taken)", r"estimated (?:bills?|readings?)", r"more than (?:what )?(?:the"
        r"|your) (?:last )?(?:letter|bill|statement) said", r"(?:can't|cannot) (?:possibly )?be"
        r" (?:behind|in arrears|owing)", r"(?:some|a) (?:muddle|mix-?up)", r"(?:fees|charges"
        r"|interest)[^.]{0,25}(?:aren't|are not|isn't|not) (?:legal|lawful|allowed|right|fair)",
        r"more than (?:what )?you (?:said|told me|quoted) (?:before|earlier|last time)",
        r"how (?:can|could|do|would|did) i (?:possibly |even |still )?(?:owe|have (?:a |any |this )"
        r"?debt|be in debt|be owing)", r"how i(?:'d| would| could| can) (?:possibly )?owe",
        r"how (?:can|could|does|did) (?:it|that|this|the bill) (?:possibly )?(?:be|come to|add up"
        r" to|reach) (?:so much|that much|\$?\d|[a-z]+ hundred)",
        r"(?:amount|figure|total|balance|bill|sum)\b.{0,30}?\b(?:is |was |'s )?(?:different"
        r"|not the same) (?:from|to|than) (?:the|my|your|what)",
        r"different (?:from|to|than) what (?:you|your \w+) (?:just )?(?:said|say|read|told"
        r"|quoted|wrote)",
        r"(?:letter|bill|statement) says? \$?\d+,? (?:but )?you (?:say|said)",
        r"(?:closed|close|cancelled|canceled|cancel|shut) (?:down )?(?:everything|all (?:my|the)"
        r" accounts) before i (?:leave|left|moved|move)", r"(?:was|been|were) on direct debit"
        r" (?:the whole time|all along|every month|the entire time)", r"ombudsman",
        r"(?:can't|cannot|not allowed to)"
        r" charge (?:me|us)", r"(?:taken|took|charged|debited|came"
        r" out) twice", r"(?:two|2) (?:companies|agencies|collectors|firms) (?:are )?(?:chasing"
        r"|after|calling)", r"same debt", r"cooling[- ]off", r"i (?:only )?owe (?:you )?\$?\d+,?"
        r" not \$?\d+",
        r"(?:pretend(?:ed|ing)|posing|pose[ds]?) (?:to be|as) me", r"mixed me up with",
        r"(?:i )?(?:wasn't|was not|never) (?:even )?(?:living|lived) (?:there|at that address)"
        r"|(?:wasn't|was not) (?:even )?in the country",
        r"(?:money|payment|cheque|check) (?:that )?(?:i|we) (?:already |have already |'ve already "
        r")?(?:sent|paid|gave|posted)",
        r"(?:cheque|check|payment|transfer) (?:was|got|has been) (?:cashed|cleared|taken|received)",
        r"(?:i|we) (?:already )?paid (?:the lot|it all|all of it|everything|the whole (?:lot|thing"
        r")|up) (?:off |back )?(?:when|before|the day|once)",
        r"(?:i'm|im|i am) (?:sure|certain|positive) (?:it's|its|it has|it was|that's|that was|this"
        r" was|this has|that has) (?:been |all )?(?:paid|settled|cleared)",
        r"(?:my|her|his|their|our) (?:\w+ ){0,2}(?:opened|took out|set up|signed up for|ordered) ("
        r"?:that|it|this|the account|the contract|the phone)\b(?! for me)",
        r"used my (?:email|e-mail|name|details|address|bank details|card) to (?:sign up|open|order"
        r"|set up|get)",
        r"from when i (?:lived|was living|used to live|rented) (?:in|at|on)",
        r"(?:since|after) (?:i|we) (?:moved out|left the (?:flat|house|apartment|property|place))",
        r"\b\d[\d,]* (?:\w+ )?(?:for|on) (?:the )?(?:water|gas|electric\w*|power|heating|phone|int"
        r"ernet|broadband)\b.{0,40}(?:impossible|no way|can't be|cannot be|ridiculous|joke|insane)",
        r"(?:leak|fault|glitch|problem) (?:or something )?on (?:your|the company's|their) (?:side|"
        r"end)",
        r"(?:one|a|that|this|the) (?:month|bill|payment|charge) (?:is|was|got) (?:double|doubled|c"
        r"ounted twice|charged twice|billed twice)",
        r"(?:i|we) (?:had )?(?:returned|sent back|took back) (?:it|that|the (?:phone|item|order|go"
        r"ods|parcel|router|device))",
        r"(?:sent|took|brought|posted) (?:it|that|them|the (?:phone|item|order|goods|parcel|router"
        r"|device|box|modem|handset|equipment)) back\b",
        r"(?:debt|bill|balance|amount|money) that (?:doesn't|does not|don't) (?:even )?exist",
        r"i paid \d+ of (?:that|it|this|the)",
        r"(?:isn't|is not|not|hasn't been|wasn't|never been) (?:showing|credited|taken off|deducte"
        r"d|applied|on (?:the|my) account)",
        r"should be (?:less|lower|smaller) (?:than|now|by)",
        r"\b(?:i|we|i've|we've|already) (?:already )?settled (?:it|that|this|the (?:account|bill|b"
        r"alance|debt))\b",
        r"\bwrong (?:geezer|bloke|fella|fellow|guy|man|woman|lady|bird)\b",
        r"\b(?:fee|fees|charge|charges) (?:is|are|'s) (?:a |an absolute |a total )?(?:con|scam|rip"
        r"-?off|racket|daylight robbery)\b",
        r"\b(?:husband|wife|partner|son|daughter|mum|mom|dad|father|mother) (?:already )?paid (?:t"
        r"hat|it|this|the bill|the lot|it off)\b",
        r"how (?:can|could|does|is) (?:it|that|this) (?:be|come to|add up to|possibly be) [^.?]{0,"
        r"25}(?:when|if|because) (?:my|i|the|it)",
        r"\bhalf (?:of (?:that|it|this) )?(?:was|is|isn't|wasn't|was never|is not|ain't) (?:never "
        r")?(?:mine|my debt|me|my bill)\b",
        r"(?:down|off|not working|broken|dead) (?:more (?:than|often)|half (?:the|of)|most of)",
        r"(?:logged|reported|rang about|called about) (?:\w+ ){0,3}(?:faults|outages|complaints)",
        r"\bsame name as me\b|someone (?:else )?with (?:the )?same name|\bnamesake\b",
    ],
    "validation": [
        r"how (?:do|can|would) i know (?:you're|your|you are|this is|it's|its) (?:legit|real"
        r"|genuine|who you say|not a scam)", r"\b(?:f ?c ?a|fca) (?:number|registration)",
        r"(?:are you|you're|you are) (?:even )?(?:registered|licen[cs]ed|authori[sz]ed|regulated)",
        r"(?:licen[cs]e|registration) number",
        r"(?:who|what|which) (?:was|is) the original (?:creditor|lender|company|bank)",
        r"(?:name|details) of the original (?:creditor|lender|company)",
        r"which (?:bank|company|lender) was (?:it|this) (?:with )?originally",
        r"if (?:the )?(?:paperwork|documents?|papers|statement) (?:checks? out|is right|adds up"
        r"|is in order)",
        r"(?:send|mail|post|email|give|show|provide)(?: me| us)? (?:some |a |the )?(?:proof"
        r"|evidence|verification|validation|documentation|documents|paperwork|letter|statement"
        r"|breakdown|copy|bill|contract|details)", r"in writing", r"written (?:notice|proof"
        r"|confirmation|statement|verification)", r"validat", r"verif(?:y|ication) (?:of )?"
        r"(?:the|this|that|my) (?:debt|balance|amount)", r"prove (?:it|that|this|i owe)",
        r"proof (?:that|of|i owe)", r"(?:see|want) (?:the|a) (?:paperwork|contract|bill|statement"
        r"|signed)", r"original creditor",
        r"(?:send|mail|email|post|give|show)(?: me)? (?:like )?(?:(?:something|anything)"
        r"(?! (?:shorter|longer|smaller|lower|cheaper|else|less|better|different|easier)\b)"
        r"|the (?:paper"
        r"|document|documents|contract|original)|an? (?:itemi[sz]ed|statement|letter|copy"
        r"|official))", r"(?:put|have) (?:all )?(?:that|it|this) in (?:a letter|writing)",
        r"(?:see|have) it written", r"written (?:down|copy)", r"(?:the )?(?:document|proof)s?"
        r" (?:before|first)", r"proof (?:it'?s|that it'?s) mine", r"(?:show|prove) (?:me )?"
        r"(?:the|that|it)", r"payment history", r"official letter", r"(?:so i know|to know)"
        r" (?:it's|its) (?:legit|real)", r"account details by (?:mail|post|email)",
        r"in black and white",
        r"\bitemi[sz]e\b",
        r"(?:won't|will not|can't|cannot|don't|didn't|couldn't) (?:even )?explain (?:it|this|that|"
        r"the (?:figure|amount|number|charges?|balance))?",
        r"(?:a |the )?number (?:you|that you) (?:won't|can't|cannot|don't) (?:even )?explain",
        r"without (?:a|the) (?:bill|letter|statement|contract|paper\w*|proof|invoice) in (?:my|you"
        r"r|his|her) hand",
        r"(?:a |the )?(?:letter|bill|paper|paperwork|statement|proof|invoice) (?:first )?before (?"
        r":i|we) (?:pay|send|give|agree|hand over)",
        r"(?:till|until|unless|before) (?:it's|it is|i see it|i get it|i have it|it comes|it's com"
        r"e) (?:in|through) (?:my|the) (?:post|post ?box|mail|letter ?box|inbox)",
        r"\b(?:is this|are you) (?:really|actually|even|definitely) (?:from )?(?!(?:the|a|going|ab"
        r"le|sure)\b)\w+\b[^.?]{0,30}(?:scam|fake|real|legit|genuine|or)\b",
        r"\bscam (?:number|call|caller|text)s?\b",
        r"\boriginal (?:creditor|lender)\b",
        r"where (?:did|do|does|has) (?:you|that|this|it) (?:get|pull|come up with|dig up) (?:that|"
        r"this|the|your) (?:figure|number|amount|total)",
    ],
    "lawyer": [
        r"we represent (?:ms|mr|mrs|miss|dr|the|our|your|my)\b", r"(?:from|at|with) the (?:law )?"
        r"offices? of [a-z]+ (?:and|&) [a-z]+",
        r"\bmy brief\b(?:'s)?(?! case| moment| look| chat)",
        r"lawyer", r"(?<!power of )(?<!powers of )attorney(?! general)", r"solicitor",
        r"legal (?:counsel|advice|aid"
        r"|representation|team|action)", r"\bsue\b", r"suing", r"take (?:you|this) to court",
        r"(?<!plus )(?<!trop )(?<!tr[èe]s )(?<!assez )(?<!c'est )(?<!work at the county )"
        r"\bcourt\b(?! fine|s? terme)", r"small claims", r"represented by", r"paralegal",
        r"law (?:firm|office)", r"on behalf of (?:our|my) client", r"\badvocate\b(?! for)",
        r"consumer (?:rights|protection) (?:attorney|lawyer|group|agency)",
    ],
    "bankruptcy": [
        r"(?<!not )(?<!never been )(?<!never gone )bankrupt", r"chapter (?:7|seven|13|thirteen|ele"
        r"ven|11)", r"insolven",
        r"\biva\b", r"debt relief order", r"trustee", r"debt (?:management|relief) (?:plan"
        r"|order|program)", r"automatic stay", r"discharg",
        r"debt review", r"debt counsel+or", r"sequestrat", r"administration order",
        r"consumer proposal", r"\bdro\b", r"(?:filed|filing|file) (?:for )?(?:chapter|ch\.?)\b",
        r"\bpia\b",
        r"personal insolvency",
        r"debt settlement arrangement",
        r"\bd r o\b|official receiver|\bthe receiver (?:wrote|has|is|said|sent)",
    ],
    "ask_human": [
        r"\bhuman\b(?! being ok)", r"real (?:person|people|human|someone|agent)",
        r"live (?:person|agent|operator)", r"(?:a|an|some) (?:person|agent|operator"
        r"|representative|rep|advisor|adviser)\b", r"someone (?:real|else|in charge|who)",
        r"somebody (?:real|else|in charge)", r"supervisor", r"\bmanager\b",
        r"(?:speak|talk|chat) (?:to|with) (?:someone|somebody|a person|a human|an agent"
        r"|your boss|a manager|a supervisor|a real|customer)", r"customer (?:service|care"
        r"|support)", r"put me through", r"transfer me", r"connect me", r"operator",
        r"representative", r"(?:i want|give me|get me) (?:a|an|to) (?:person|agent|human"
        r"|representative)", r"agent please", r"not (?:talk|speak)(?:ing)? to a (?:robot|machine"
        r"|computer|bot)",
        r"member of (?:your )?staff", r"(?:a|the) (?:lady|gentleman|man|woman|guy) (?:i|to)",
        r"actual (?:person|human)", r"\bagent\b", r"whoever(?:'s| is) in charge", r"someone"
        r" (?:there|i could|i can|to talk|to speak)", r"speak to (?:someone|somebody|a person)"
        r"|talk to (?:someone|somebody|a person)", r"(?:don't|do not) (?:like|want|talk to)"
        r" (?:these |this )?machines?",
        r"(?:someone|somebody|anyone|anybody) (?:who|that) speaks",
        r"(?:speak|talk) (?:to|with) (?:mr|mrs|ms|miss|madam|sir|the lady|the man|the person)"
        r"\b", r"(?:who|that) (?:handles|deals with|looks after|manages) my (?:account|case"
        r"|file)",
    ],
    "card_data": [
        r"card number", r"credit card (?:is|number)", r"debit card (?:is|number)", r"my card is",
        r"expir(?:y|ation|es) (?:date|on|in)", r"security code", r"\bcvv\b", r"\bcvc\b",
        r"(?:the |my )?(?:long )?number on (?:the |my )?card",
        r"(?:it's|its) a (?:visa|mastercard|amex)", r"visa (?:ending|number)",
    ],
}

SAFETY_FR: dict[str, list[str]] = {
    "vulnerable": [
        r"(?:exerce|j'ai) la (?:tutelle|curatelle)",
        r"(?:j'entends|j'ai|entendre) des voix", r"des voix (?:qui me parlent|dans ma t[êe]te)",
        r"(?:saute|sauter|sautez|jette|jeter) (?:du|d'un|par la|sous (?:un|le)) (?:pont"
        r"|fen[êe]tre|immeuble|balcon|train|m[ée]tro|toit)",
        r"(?:fait|faite|fais) une tentative", r"tentative (?:de suicide|d'en finir)",
        r"suicid", r"me tuer",
        r"^(?!.*(?:le plus (?:vite|court|rapide)|qui finit|tout (?:payer|r[ée]gler)|d'un coup))"
        r".*en finir(?! avec (?:cette|ma|la|votre|ce|vos|ces) (?:dette|histoire|affaire"
        r"|dossier|facture|[ée]ch[ée]ancier|comptes?(?:-l[àa])?|paiements?|factures)"
        r"| maintenant\b)",
        r"mettre fin (?:à|a) (?:mes jours|ma vie)",
        r"(?:plus|pas) envie de vivre", r"(?:ne )?veux plus vivre", r"envie de mourir",
        r"veux mourir", r"mieux (?:sans moi|mort)", r"me faire du mal", r"me (?:suis )?"
        r"(?:scarifi|mutil)", r"je n'en peux plus", r"j'en peux plus", r"je craque",
        r"(?:au )?bout du rouleau", r"plus la force", r"d[ée]pression", r"d[ée]prim",
        r"burn[- ]?out", r"crise d'angoisse", r"psychiatr", r"bipolaire",
        # Round 17: cancer by its nickname, a future the caller will not see, a psychiatric
        # hospital by its initials.
        r"\ble crabe\b", r"\b(?:ce sera|ça sera|ca sera|ce ne sera) (?:plus|pas) mon probl[èe]me",
        r"\ben (?:hp|h p|hôpital psy|hosto psy)\b",
        rf"{_NOT_AT_WORK_FR}(?:h[ôo]pital|urgences)(?! o[ùu] je (?:travaille|bosse))",
        r"hospitalis", r"r[ée]animation", r"soins palliatifs", r"chimio",
        r"cancer", r"tumeur", r"maladie (?:grave|incurable|longue)", r"gravement malade",
        r"tr[èe]s malade", r"op[ée]ration", r"avc\b", r"infarctus", r"alzheimer",
        r"d[ée]mence", r"(?:je )?perds la m[ée]moire", r"d[ée]c[ée]d", r"d[ée]c[èe]s",
        r"\bmort\b(?! de (?:rire|fatigue|faim|froid|honte|trouille|peur))", r"(?<!batterie est )(?"
        r"<!presque )\bmorte\b(?! de rire)",
        r"est mort", r"obs[èe]ques", r"enterrement", r"veu(?:f|ve)",
        r"\bdeuil\b", r"perdu mon (?:mari|fils|p[èe]re|fr[èe]re|compagnon|enfant|b[ée]b[ée])",
        r"perdu ma (?:femme|fille|m[èe]re|s(?:œ|oe)ur|compagne)", r"violences?",
        r"(?:il|elle) me (?:frappe|bat|menace)", r"peur de mon (?:mari|compagnon|ex)",
        r"foyer d'accueil",
        r"plus (?:l'int[ée]r[êe]t|de sens|go[ûu]t (?:à|a) rien)", r"(?:serait|ce serait) mieux si"
        r" je (?:n'[ée]tais|[ée]tais) plus l[àa]", r"(?:plus|pas) l[àa] pour",
        r"fou(?:tre|te|tes|ts|tu) en l'air",
        r"m[ée]dicaments? .{0,30}(?:prendre|avaler)", r"(?:tous|tout) (?:les )?prendre",
        r"id[ée]es noires", r"me (?:fais|faire) du mal", r"dialyse", r"(?:pas|plus) bien dans ma"
        r" t[êe]te", r"[çc]a va pas dans ma t[êe]te", r"je (?:ne )?tiens plus",
        r"(?:frapp|cogn|tap)(?:e|ait|er) (?:dessus|moi)|me (?:frapp|cogn|tap)", r"violent",
        r"me prend (?:tout )?mon argent", r"pas le droit d'avoir", r"m[ée]moire", r"angoiss",
        r"sauter d'un pont", r"(?:n'aura|aura) plus d'importance", r"pris ma d[ée]cision",
        r"dispara[îi]tre", r"je vois (?:plus|pas) d'issue", r"plus d'issue", r"envie de rien",
        r"(?:est|sont) (?:mort|morte|morts|d[ée]c[ée]d[ée]e?s?) (?:en|le|la|il y a|depuis|hier"
        r"|r[ée]cemment)", r"je suis (?:veuf|veuve|seule? depuis)", r"en deuil", r"chagrin",
        r"(?:une|en) cure", r"surdose", r"crise (?:cardiaque|d'[ée]pilepsie)",
        r"(?:tout|ma vie) s'[ée]croule", r"[àa] quoi bon", r"(?:gravement|tr[èe]s) malade",
        r"maison de retraite", r"ehpad", r"je (?:suis|me sens) perdu", r"je comprends plus rien",
        r"(?:quand|apr[èe]s que|une fois que) je (?:ne )?serai (?:plus l[àa]|parti|partie)",
        r"donn[ée] (?:presque )?(?:toutes|tout) mes (?:affaires|choses)", r"(?:on est|c'est)"
        r" (?:en )?quelle (?:ann[ée]e|jour)", r"on est (?:lundi|mardi|mercredi|jeudi|vendredi"
        r"|samedi|dimanche)\s*\?", r"je (?:ne )?sais plus (?:pourquoi|qui|o[ùu]|ce que)",
        r"(?:il|elle) est o[ùu],? (?:mon|ma)", r"je croyais que c'[ée]tait (?:mon|ma)",
        r"(?:ne )?me laisse pas (?:avoir|utiliser|garder|voir)", r"feu mon|feue ma",
        r"d[ée]funte?", r"ne plus (?:me )?souvenir", r"je me souviens plus",
        r"scl[ée]rose|parkinson|insuffisance r[ée]nale|leuc[ée]mie|\bvih\b|paralys|fauteuil"
        r" roulant|aveugle|malvoyant", r"je (?:m'embrouille|me perds|confonds tout|suis tout"
        r" embrouill)", r"(?:ma|la) t[êe]te (?:n'est plus|c'est plus|est plus) ce qu'elle",
        r"(?:il|elle|mon (?:mari|compagnon|copain|conjoint|ex)) (?:regarde|fouille|lit|surveille"
        r"|contr[ôo]le|v[ée]rifie) (?:mon|mes) (?:t[ée]l[ée]phone|portable|messages|courriers"
        r"|comptes|mails)", r"s'il (?:demande|l'apprend|le sait)", r"(?:pris|aval[ée]) (?:des|tous"
        r" mes|toutes mes|plein de|trop de) (?:cachets|comprim[ée]s|m[ée]dicaments|pilules)",
        r"curat(?:eur|rice)|tut(?:eur|rice)|sous (?:tutelle|curatelle)", r"ne peut plus g[ée]rer",
        r"depuis (?:que|le d[ée]c[èe]s de) (?:mon|ma)", r"(?:mon|ma) (?:mari|femme|compagnon"
        r"|compagne|m[èe]re|p[èe]re|fils|fille) (?:est )?(?:d[ée]c[ée]d[ée]e?|parti|partie)",
        r"\b(?:une|des|ma|sa|deux|fait) ts\b", r"contr[ôo]l(?:e|ait) (?:tout|mon argent|mes comptes"
        r"|mes d[ée]penses|mon salaire)", r"(?:il|elle|mon mari|ma femme|mon compagnon|ma"
        r" compagne|mon conjoint) (?:me )?(?:prend|garde|confisque|bloque|a pris|m'a pris) (?:ma"
        r" carte|mon argent|mes sous|ma paie|ma paye|mon salaire|mes papiers|ma cb"
        r"|mon ch[ée]quier)",
        r"(?:me )?laisse (?:pas|aucun|m[êe]me pas|jamais|plus) (?:un )?(?:centime|sou|euro|rond"
        r"|kopeck|balle)",
        r"(?:suis|est|sommes) (?:plac[ée]e?s? )?sous (?:une )?(?:mesure de )?protection",
        r"(?:j'ai|on a|nous avons|je viens d'|on vient d') ?enterr[ée]", r"rechut", r"addict",
        r"th[ée]rapie", r"(?:je )?(?:bois|picole) (?:de nouveau|encore|trop|beaucoup)",
        r"alcool", r"machines? [àa] sous", r"\bcasino", r"depuis mon (?:attaque|avc|accident"
        r"|op[ée]ration)", r"j'ai des trous", r"confonds (?:les chiffres|tout|les dates"
        r"|les montants)", r"(?:plus|pas|pus) envie de me r[ée]veiller", r"la peine de"
        r" (?:continuer|vivre|se battre|me battre)(?! (?:[àa]|de) (?:payer|vous|appeler))",
        r"(?:suis|chus|est|sommes|j'suis) (?:pas mal |compl[èe]tement |vraiment |tellement"
        r" |rendue? )?[àa] bout(?:te)?\b", r"(?:plus|pus|pas) (?:le )?go[ûu]t (?:de|[àa]) rien",
        r"(?:vois|voit) (?:pu|plus|pas) le bout", r"(?:suis|chus|j'suis) (?:pu|plus) capable",
        r"\bautiste", r"\btdah\b", r"lettre d'adieu", r"quitter (?:le|notre|mon|ce)"
        r" logement", r"(?:mon|ma) ex\b[^.]{0,25}(?:a ouvert|a pris|a souscrit|a fait)[^.]{0,30}"
        r"(?:[àa] mon nom|sur mon nom)", r"l[àa] o[ùu] je vais,? (?:j'aurai|j'en aurai|je n'aurai|y"
        r" aura) (?:pas|plus|besoin)", r"(?:perdu|vol[ée]|pris|arnaqu[ée]) (?:toutes |tout )?"
        r"(?:mes|nos) (?:[ée]conomies|[ée]pargne|retraite)",
        r"expuls", r"\bau 115\b", r"sans[- ]abri", r"(?:[àa]|dans) la rue avec", r"(?:dormir|dors"
        r"|dort|dormons|vivons|vis) dans (?:ma|la|notre) voiture",
        r"\balit[ée]", r"grabataire", r"(?:il|elle) me"
        r" (?:prend|garde|confisque) (?:toute |tout )?(?:ma paie|ma paye|mon salaire|mes"
        r" allocations|ma pension|ma retraite)",
        r"(?:sais|peux) (?:pas|plus|presque pas) (?:lire|[ée]crire)", r"illettr", r"dyslex",
        r"je me suis rat[ée]e?\b",
        r"j'me suis rat[ée]e?\b",
        r"(?:j'?en ai|j'?en aurai|j'?en ai pas) (?:plus|pas|pu) pour (?:tr[èe]s )?longtemps",
        r"(?:je peux|j'peux|jpeux|je ne peux) (?:pas )?parler (?:fort|librement|longtemps)",
        r"\bhosto\b",
        r"(?:jamais|pas) appris (?:à|a) lire",
        r"\brejou(?:e|er|é)",
        r"(?:paris|jeux|casino|poker) en ligne",
        r"parler (?:à|a) quelqu'un avant\b",
        r"(?:serai|s'rai|serais|s'rais) (?:crev[ée]e?|mort|morte|plus l[àa]|parti) avant",
        r"d[ée]sintox",
        r"je m'embrouille",
        r"(?:\bl'?|\bl |\bde l'?|\bà l'?)hp\b",
        r"interdiction de contact|ordonnance de protection|bracelet anti-?rapprochement",
        r"femmes? battues",
        r"(?<!au )(?<!du )\bgreffe\b(?! du tribunal)",
        r"soins? pal+iatifs?|pal+ia ?tifs?|pas lia tifs?",
        r"\bcoma\b|r[ée]animation|\ben r[ée]a\b",
        r"(?:conjoint|mari|compagnon|copain|femme|compagne|il|elle) (?:m'?)?[ée]coute\b[^.]{0,30}("
        r"?:peux|peut|dire|parler)",
        r"plus rien (?:qui )?(?:ne )?me retient",
        r"entends des voix|entend des voix",
        r"je suis sous (?:tu ?tel+e|cura ?tel+e)",
        r"handicap[ée]+e? (?:à|a) \d+",
        r"sous la menace",
        r"(?:on m'?a donn[ée]|il me reste|me reste) (?:que )?(?:\d+|deux|trois|quatre|six|quelques"
        r") (?:mois|semaines) (?:à|a) vivre",
        r"(?:je vais|j'vais|jvais|je risque de|je pourrais|je vais finir par) faire une (?:grosse "
        r")?(?:connerie|b[êe]tise)",
        r"je (?:ne )?tiendrai pas(?! (?:[àa]|le|la|les|mes|ma|mon|votre|vos|ce|cette|ces) )|je (?:"
        r"ne )?tiens plus(?! (?:[àa]|a) )\b",
        r"\b(?:il|elle|mon mari|mon conjoint|mon copain|mon compagnon|mon ex|ma femme|ma compagne)"
        r"[^.]{0,15}\b(?:prend|garde|confisque|a pris|m'a pris|me prend) (?:mon|ma|mes)"
        r" (?:carte|cartes|argent|salaire|papiers|paie|paye|allocations)",
        r"(?:me laisse|laisse) (?:pas|jamais) sortir|m'emp[êe]che de (?:sortir|t[ée]l[ée]phoner|pa"
        r"rler|voir)",
        r"(?:pleure|pleurer|pleurait) (?:depuis|sans arr[êe]t|tout le temps|toute la)|arrive (?:pa"
        r"s|plus) [àa] parler",
    ],
    "third_party": [
        # Le téléphone d'un autre, une entreprise, un message pris pour le titulaire.
        r"(?:puis-je|je peux|voulez-vous|souhaitez-vous|vous voulez) (?:prendre|laisser)"
        r" (?:un )?message", r"(?:cabinet|salon|garage|agence|boutique|magasin|[ée]cole|mairie"
        r"|r[ée]sidence|soci[ée]t[ée]|entreprise|restaurant|pharmacie)\b.{0,40}(?:bonjour"
        r"|j'?[ée]coute|accueil|tromp)", r"(?:je (?:ne )?suis|j'suis|jsuis) (?:que|juste|seulement)"
        r" (?:le|la|l') ?(?:stagiaire|standardiste|secr[ée]taire|assistante?|r[ée]ceptionniste"
        r"|femme de m[ée]nage|nounou|baby-?sitter|voisine?)", r"(?:monsieur|madame|le docteur"
        r"|le patron|la patronne|le g[ée]rant|la g[ée]rante|le directeur|la directrice) est"
        r" (?:en (?:r[ée]union|rendez-vous|d[ée]placement|consultation|cong[ée])|absente?"
        r"|pas l[àa])", r"quel r[ée]sident",
        r"(?:voir|v[ée]rifier|demander) (?:ça )?avec (?:lui|elle) ce soir",
        r"(?:son|sa) (?:portable|num[ée]ro) (?:du|de) travail", r"dans ses papiers",
        r"(?:j'ai|ai) (?:juste|seulement) d[ée]croch[ée]", r"d[ée]croch[ée] parce que (?:ça|ca)"
        r" sonn", r"trouv[ée] (?:ce|le|un)"
        r" (?:t[ée]l[ée]phone|portable)", r"(?:sa|son|leur) (?:tut|curat)(?:eur|rice)\b",
        r"\b(?:l')?udaf\b", r"\bludaf\b",
        r"de la part de", r"au nom de", rf"(?:j'appelle|je t[ée]l[ée]phone|j'appelais|appelle"
        rf"|appel) (?:pour|au sujet de|concernant) (?:mon|ma|mes|son|sa|le|la) {_KIN_FR}",
        r"(?:j'appelle|je t[ée]l[ée]phone|j'appelais) pour (?:m\.|mme|madame|monsieur"
        r"|mademoiselle)", rf"je suis (?:le|la|l'|son|sa) ?{_KIN_FR} (?:de|d')",
        rf"c'est (?:le|la|l') ?{_KIN_FR} (?:de|d')", rf"(?:le )?(?:compte|dossier|contrat"
        rf"|facture|dette) (?:est )?(?:de|à|au nom de) (?:mon|ma) {_KIN_FR}",
        rf"(?:c'est|pour) (?:le dossier|le compte|la facture) de (?:mon|ma) {_KIN_FR}",
        r"(?:il|elle) n'est pas (?:là|disponible|joignable|chez (?:lui|elle)|en mesure)",
        r"(?:il|elle) (?:est|se trouve) (?:au travail|à l'h[ôo]pital|absente?|en voyage"
        r"|hospitalis)", r"(?:il|elle) m'a demand[ée] (?:d'appeler|de vous appeler|de r[ée]gler)",
        r"(?:je ne suis pas|je suis pas) (?:le|la) titulaire", r"pas (?:le|la) titulaire",
        r"procuration", r"tutelle", r"curatelle", r"(?:sa|la) succession", r"notaire",
        r"je suis (?:sa|son|l'|la|le)? ?(?:aide à domicile|aide-soignante?|assistante? sociale?"
        r"|colocataire|tuteur|tutrice|curat|interpr[èe]te|fille|fils|fr[èe]re|s(?:œ|oe)ur|mari"
        r"|femme|oncle|tante|neveu|ni[èe]ce|m[èe]re|p[èe]re|amie?|voisine?|compagne?|mec|copine?)",
        r"je suis (?:juste |seulement )?(?:sa|son) ", r"moi je suis (?:sa|son|le|la)",
        r"(?:c'est|pour) (?:ma|mon) [a-zéèêàç'-]+ qui (?:a|est)", r"(?:c'est|pour) (?:ma|mon)"
        r" (?:m[èe]re|p[èe]re|fils|fille|mari|femme|fr[èe]re|s(?:œ|oe)ur|mec|copine|copain)",
        r"(?:j'appelle|appelle) pour (?!un |une |le |la |les |des |payer|r[ée]gler|savoir|"
        r"parler|mon |ma |mes |moi)[a-zé]+ [a-zé]+", r"(?:c'est pour|pour) (?!moi)[a-zé]+ "
        r"[a-zé]+ .{0,30}je suis (?:son|sa)", r"(?:son|sa) (?:code postal|dossier|num[ée]ro"
        r"|contrat|compte|facture) (?:c'est|est)", r"(?:il|elle) (?:dort|est au boulot|est au"
        r" travail|a d[ée]m[ée]nag|habite plus)", r"payer pour (?:elle|lui|ma|mon)",
        r"je paie pour (?:elle|lui|ma|mon)", r"pas mon (?:contrat|dossier|compte)", r"c'est (?:son"
        r"|sa) (?:contrat|dossier|compte|facture)", r"(?:demander|voir) avec (?:mon|ma) (?:mari"
        r"|p[èe]re|m[èe]re|femme|fils|fille)", r"de la part de notre cli", r"autorisation (?:pour"
        r"|de) (?:vous )?parler", r"(?:je suis )?(?:le|la) (?:notaire|tuteur|tutrice)",
        r"c'est (?:sa|son) (?:femme|mari)", r"pour (?:elle|lui)\b(?! aussi)", r"(?:il|elle) doit"
        r" combien", r"combien (?:il|elle) doit",
        r"(?:c'est|c'[ée]tait|celle|celui|compte|facture|dette|r[ée]f[ée]rence|contrat|ligne)"
        r" (?:de|d'|à) mon ex\b",
        r"(?:c'est|je suis) (?:le|la|son|sa) coloc", r"(?:il|elle) s'est (?:barr[ée]|tir[ée]"
        r"|sauv[ée]|envol[ée])", r"(?:il|elle) est (?:en prison|incarc[ée]r|en taule|d[ée]tenue?"
        r"|en d[ée]tention)",
        r"c'est moi qui (?:g[èe]re|m'occupe de) (?:tout|ses|son|sa|les papiers|ses papiers)",
        r"n'habite (?:plus|pas|pu) (?:ici|l[àa]|[àa] cette adresse|chez moi)", r"(?:il|elle) est"
        r" partie? (?:vivre|habiter|s'installer|travailler) (?:[àa]|au|en|aux)",
        r"pas moi (?:le|la) titulaire", r"(?:mauvais|faux) num[ée]ro",
        r"ancien(?:ne)? (?:occupant|occupante|locataire|propri[ée]taire)",
        rf"(?:c'est|la|le) (?:lettre|facture|courrier|dossier) de (?:ma|mon) {_KIN_FR}",
        r"tromp[ée]e?s? de"
        r" (?:personne|num[ée]ro)", r"\bconnais pas (?:cette (?:dame|personne|femme)|ce"
        r" (?:monsieur|nom|gars|type|mec))\b",
        r"(?:il|elle) (?:ne )?(?:peut|pourra) (?:plus|pas|pu) (?:parler|vous r[ée]pondre"
        r"|r[ée]pondre|venir au t[ée]l[ée]phone|t[ée]l[ée]phoner)",
        r"\b(?:[àa]|au) son nom\b",
        r"\b(?:notre|mon) client(?:e)?\b",
        r"(?:il|elle|ils|elles) (?:est|sont|sera|seront) (?:\w+ )?(?:injoignable|pas joignable)",
        r"c'est (?:lui|elle) (?:le|la) titulaire",
        r"\b(?:il|elle) (?:dit|demande|propose|veut|r[ée]pond) (?:que )?(?:\d+|oui|non|d'accord|ok"
        r")\b",
        r"je (?:lui|leur) (?:dis|dirai|demande|demanderai|en parle|en parlerai)\b.{0,30}(?:ce soir"
        r"|quand (?:il|elle) rentre|demain|plus tard)",
        r"(?:il|elle) m'a dit de (?:dire|accepter|payer|refuser|vous dire)",
        r"(?:il|elle) me fait signe",
        r"(?:il|elle) fait (?:oui|non|signe) de la t[êe]te",
        r"\b(?:mon|ma) (?:mari|femme|[ée]poux|[ée]pouse|conjoint|conjointe|fils|fille|m[èe]re|p[èe"
        r"]re|fr[èe]re|s(?:œ|oe)ur|copain|copine)\b,? (?:il|elle) (?:dit|demande|veut|propose)",
        r"je transmets (?:à|a) (?:mon|ma) ",
        r"(?:je suis|c'est moi) (?:le|la) propri[ée]taire",
        r"(?:tuteur|tutrice|curateur|curatrice|mandataire) (?:de|d') (?:monsieur|madame|mme|m\.|mon"
        r"|ma|mes)\b",
        r"(?:sur|dans) son courrier",
    ],
    "stop_contact": [
        r"(?:veux|voudrais) plus (?:jamais )?entendre parler de vous",
        r"arr[êe]tez de (?:m'appeler|me contacter|me harceler|m'[ée]crire|appeler|me rappeler"
        r"|me t[ée]l[ée]phoner|me d[ée]ranger)", r"ne (?:m'|me )(?:appelez|contactez|rappelez"
        r"|t[ée]l[ée]phonez|d[ée]rangez) (?:plus|jamais|pas)", r"ne plus (?:m'appeler|me contacter"
        r"|[êe]tre (?:contact|appel|d[ée]rang))", r"laissez-moi tranquille",
        r"foutez-moi la paix", r"fichez-moi la paix", r"cessez (?:de|tout|les)",
        r"(?:rayez|supprimez|effacez|retirez) mon num[ée]ro", r"plus (?:jamais )?d'appels?",
        r"je ne veux plus (?:[êe]tre|que vous|de vos|vous entendre|recevoir)",
        r"harc[èe]l", r"(?:ne )?(?:me )?rappelez (?:plus|jamais)",
        r"arr[êe]t(?:ez|iez|er) (?:de |d')?(?:m'|me |nous )?(?:appeler|contacter|t[ée]l[ée]phoner"
        r"|rappeler)", r"arr[êe]tez d'appeler", r"cesser (?:toute|tout|les|de)", r"oubliez mon"
        r" num[ée]ro", r"(?:ne )?(?:m'|me )?appel(?:ez|iez) (?:plus|pas)", r"n'appelez (?:plus"
        r"|pas|jamais)", r"plus de (?:coups de fil|coup de fil|t[ée]l[ée]phone)", r"(?:supprim|"
        r"ray|effac|enlev)(?:ez|er) (?:ce|mon) num[ée]ro", r"que [çc]a s'arr[êe]te",
        r"(?:uniquement|seulement) par [ée]crit", r"(?:vous )?m'appelez plus",
        r"(?:ne )?(?:pas |plus )?(?:vous )?appelez moi", r"si vous (?:me )?rappelez",
        r"(?:me )?fout(?:ez|re|iez) la paix", r"pas le droit de (?:m'appeler|me contacter"
        r"|m'harceler)", r"arr[êe]tez d'appeler (?:ma|mon|mes|chez)",
        r"(?:appel|rappel|contact|t[ée]l[ée]phon)(?:ez|er|e)[- ]moi (?:pu|pus|plus|jamais)\b",
        r"(?:m'appelez|me rappelez|me contactez|me t[ée]l[ée]phonez|m'[ée]crivez) (?:pu|pus)\b",
        r"ne (?:plus|pu|pus) me (?:joindre|contacter|appeler|t[ée]l[ée]phoner|rappeler|d[ée]ranger"
        r"|relancer|harceler|[ée]crire)", r"(?:m'appel|me t[ée]l[ée]phon|me contact|me joindre"
        r"|me rappel)\w* (?:pas|plus|jamais) (?:sur|[àa]|au) (?:mon )?(?:travail|boulot|bureau"
        r"|taf|job|cell|portable|fixe)",
        r"(?:par courrier|par [ée]crit|par mail|par lettre|par la poste) (?:seulement|uniquement)",
        r"(?:je |j')\s?veux (?:plus|pas) que vous (?:m'|me )?(?:appel|rappel|contact|t[ée]l[ée]phon"
        r"|harc|d[ée]rang)", r"(?:veux|voulons|voudrais) plus (?:de )?(?:ces|vos|les|d') ?appels",
        r"(?:veux|voulons) plus (?:g[ée]rer|parler|discuter|traiter) (?:[çc]a |de [çc]a )?(?:au"
        r"|par) (?:t[ée]l[ée]phone|tel|t[ée]l)\b", r"(?:m'appelez|appelez) sur mon (?:gsm|portable"
        r"|t[ée]l[ée]phone|num[ée]ro) (?:de service|pro|professionnel|du (?:travail|boulot))",
        r"mon (?:patron|chef|employeur) (?:voit|entend|r[ée]pond)",
        r"(?:ne )?plus rien (?:m')?envoyer", r"de (?:plus|pu|pus|ne plus) (?:m'appeler|me contacter"
        r"|me rappeler|m'[ée]crire|me t[ée]l[ée]phoner|me joindre)",
        r"arr[êe]te[zr]? de (?:m'envoyer|nous envoyer|m'inonder de) (?:des |vos |les |tous ces )?("
        r"?:lettres|courriers|mails|e-mails|sms|textos|messages|relances)",
        r"(?:ne )?(?:me|m') ?sonne(?:z|r|nt)? plus",
    ],
    "dispute": [
        # Round 17: "il reste plus que 200, pas 900": the right balance against theirs.
        r"\b(?:il (?:me |nous )?reste|je (?:vous |leur )?dois|le montant|le solde|la dette)"
        r" (?:n'est |est |c'est |cest |fait )?(?:plus que |que |seulement |juste |de )?\d+"
        r"(?: ?(?:€|euros?))?,? (?:et )?pas \d+",
        r"je (?:ne )?(?:vous )?(?:dois|devais) (?:que |seulement )?\d[\d.,]*(?: ?(?:euros|€))?,?"
        r" (?:et )?pas \d",
        r"pas la bonne adresse",
        r"(?:je )?(?:ne )?crois pas (?:vous )?(?:devoir|que je (?:vous )?(?:dois|doive))",
        r"ce que je"
        r" (?:vous )?dois (?:vraiment|r[ée]ellement)", r"jamais (?:v[ée]cu|habit[ée]) (?:dans|[àa]"
        r"|l[àa]|ici)",
        r"(?:factur|pr[ée]lev)\w* encore", r"continue[zr]? (?:à|a) (?:factur|compter"
        r"|pr[ée]lever)", r"z[ée]ro de trop",
        r"comment je (?:pourrais|peux|pourrai) (?:vous )?(?:avoir|devoir|[êe]tre en retard)",
        r"pa(?:ie|ye) par pr[ée]l[èe]vement (?:tous les mois|chaque mois|depuis)",
        r"contest", r"pas (?:ma|mon|notre) (?:dette|facture|compte|contrat|probl[èe]me|cr[ée]dit)",
        r"(?:je ne|j'|je n')(?:vous )?(?:dois|doit) rien", r"je ne (?:vous )?dois (?:rien|pas)",
        r"dois rien", r"d[ée]j[àa] (?:pay|r[ée]gl|rembours|sold)", r"(?:j'ai|on a) (?:tout )?"
        r"(?:pay[ée]|r[ée]gl[ée])", r"erreur", r"fraude", r"arnaque", r"escroquerie",
        r"usurpation", r"r[ée]sili", r"jamais (?:eu|sign|souscrit|ouvert|command|utilis|appel"
        r"|habit|consomm|[ée]t[ée] client)",
        r"pas le bon (?:montant|num[ée]ro|dossier)", r"(?:c'est|cette facture est) (?:faux|fausse"
        r"|n'importe quoi)", r"je ne reconnais pas", r"ne correspond (?:à|a) rien",
        r"(?:s[ûu]re?|certaine?) d'avoir pay", r"jamais (?:[ée]t[ée] )?client", r"(?:montant|solde"
        r"|somme) (?:est )?(?:faux|fausse|erron|trop [ée]lev|le double)", r"je (?:ne )?dois que",
        r"frais de retard", r"rien (?:à|a) faire l[àa]", r"(?:à|a|en) mon nom", r"pas le mien",
        r"pas la mienne", r"r[ée]clam[ée]", r"litige", r"\beffac[ée]e?s?\b", r"(?:jamais )?re[çc]u"
        r" (?:la|le|les) (?:commande|marchandise|produit|t[ée]l[ée]phone)", r"factur[ée] (?:deux"
        r" fois|apr[èe]s)", r"(?:pas|plus) client",
        r"(?:elle|il|ils) (?:ne )?vous doi(?:t|vent) rien", r"(?:je ne pense|je pense) pas que"
        r" (?:ce soit|c'est) (?:juste|bon|correct)", r"(?:pris|vol[ée]|utilis[ée]) (?:mes cartes"
        r"|ma carte|mon identit[ée]|mon nom)",
        r"imit\w* ma signature", r"(?:fausse|faux) signature",
        r"sign[ée] (?:à ma place|sans moi)",
        r"(?:preuve|justificatif|re[çc]u) (?:que |qu')?(?:c'est|c'[ée]tait|tout est|j'ai"
        r"|la facture est) (?:r[ée]gl|pay|sold)", r"fait passer pour moi",
        r"confond(?:ez|u|re) avec (?:quelqu'un|une autre|un autre)",
        r"(?:pr[ée]l[èe]vement|d[ée]bit|paiement|facture)s? (?:est |a |m'a )?(?:pass[ée]e?"
        r"|[ée]t[ée] pris|pr[ée]lev[ée]e?|factur[ée]e?) (?:deux|2) fois", r"m[êe]me dette",
        r"r[ée]tract",
        r"\b(?:j'ai|ai) rien sign[ée]\b", r"je (?:ne )?reconnais (?:que |seulement )?\d+",
        r"montant (?:est|et|é|ai) faux", r"sort(?:ir|i)? de nulle part",
        r"(?:j'[ée]tais|j'habitais|je vivais) (?:m[êe]me )?pas (?:en france|l[àa]|ici"
        r"|dans le logement|[àa] cette adresse)",
        r"(?:m'a|ma|on m'a|vous m'avez|j'ai [ée]t[ée]) (?:d[ée]bit[ée]e?|pr[ée]lev[ée]e?"
        r"|factur[ée]e?) (?:\w+ )?(?:deux|2) fois",
        r"(?<!mon )(?<!notre )m[ée]diateur(?! de dettes?)(?! qui)",
        r"pas (?:le|la) m[êe]me (?:montant|total|somme|chiffre )?que",
        r"(?:\d+|[a-z]+) (?:euros|balles|€) de (?:plus|trop)",
        r"(?:maison|appartement|logement|adresse|compteur)\b.{0,30}c'est pas (?:moi|[àa] moi"
        r"|la mienne|le mien)",
        r"(?:proc[èe]s|litige|contentieux|conflit) avec"
        r" (?:vous|votre|vos|la soci|l'entreprise|eux)",
        r"(?:qui|qu'il|qu'elle|il|elle|ex|ex-mari|ex-femme|mari|femme|fils|fille|fr[èe]re|s(?:œ|oe"
        r")ur|cousine?|copain|copine|coloc) (?:l'a|l'avait|a|avait) (?:ouvert|souscrit|pris|comman"
        r"d[ée]) (?:\w+ ){0,3}(?:avec|[àa]|sous) mon nom",
        r"(?:c'est|c'[ée]tait) (?:mon|ma|mes) \w+ qui (?:l'a|l'avait|a|avait|les a) (?:ouvert|sous"
        r"crit|command[ée]|pris|fait)",
        r"(?:je l'ai|j'ai|on l'a|on a) quitt[ée]e? (?:l'appartement |le logement |la maison |les l"
        r"ieux )?(?:en (?:\d|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octo"
        r"bre|novembre|d[ée]cembre)|le \d|depuis|il y a)",
        r"depuis c'est plus (?:moi|nous)",
        r"[ée]tat des lieux",
        r"habit[ée] (?:l[àa](?:-bas)?|ici|dedans) (?:seulement|que|juste) ",
        r"pas normal,? (?:ça|ca)\b",
        r"(?:pas|plus) normal[,.]? (?:ce|cette|ces|le|la|les) (?:montant|facture|somme|chiffre|tot"
        r"al)",
        r"(?:j'ai|j'avais|on a|on avait|je l'ai|je l'avais) (?:tout |bien )?annul[ée]",
        r"retourn[ée]?\w* (?:au|dans le|en|le) magasin",
        r"(?:renvoy[ée]|rendu|retourn[ée]) (?:le colis|le t[ée]l[ée]phone|l'appareil|la box|le mat"
        r"[ée]riel|le produit)",
        r"(?:ce n'est|c'est|c'[ée]tait) pas moi qui (?:ai|a|avais) (?:fait|pass[ée]|command[ée]|ac"
        r"het[ée]|ouvert|sign[ée])",
        r"(?:a|ont|avait|avaient) [ée]t[ée] (?:int[ée]gralement |enti[èe]rement |d[ée]j[àa] |bien "
        r")?(?:r[ée]gl[ée]|pay[ée]|sold[ée]|rembours[ée])",
        r"(?:j'ai|on a) tout (?:sold[ée]|rembours[ée]|r[ée]gl[ée]|pay[ée])",
        r"(?:dette|facture|somme|montant|cr[ée]dit) qui (?:n')?existe (?:pas|m[êe]me pas)",
        r"(?:devait|deviez|allait|allez|avait promis d'|m'aviez promis d') ?(?:tout )?effacer",
        r"(?:cette|la|votre) r[ée]f[ée]rence,? je (?:ne )?la connais pas",
        r"pr[ée]l[eè]vement (?:est |a été |a ete )?(?:pass[ée]|parti|d[ée]bit[ée])",
        r"r[ée]gl[ée]r? depuis (?:le|la|des|début|fin|\d)",
        r"(?:vous )?dois (?:que dalle|nada|peau de balle)",
        r"comment (?:ça|ca|c'est) (?:peut|pourrait) (?:faire|être|etre|monter) [^.?]{0,30}alors qu"
        r"e",
        r"(?:vous )?(?:me )?sortez un (?:chiffre|montant)",
        r"(?:moiti[ée]|partie|reste)[^.]{0,15}(?:c'est|c est|est) pas (?:[àa] moi|mien|la mienne|m"
        r"a dette|de moi)",
        r"je (?:ne )?(?:les|la|le) dois pas",
        r"\bhomonyme\b",
        r"sign[ée] aucun (?:contrat|papier|document)|jamais sign[ée]",
    ],
    "validation": [
        r"(?:soci[ée]t[ée]|organisme|cabinet|agence|vous [êe]tes|[êe]tes-vous)(?: [\w'-]+){0,3}"
        r" agr(?:éé|ée|eé)e?s?\b", r"agr[ée]ment",
        r"(?:op[ée]rateur|cr[ée]ancier|soci[ée]t[ée]|banque|fournisseur|organisme) (?:de d[ée]part"
        r"|d'origine|initial|originel)", r"(?:titulaire|cr[ée]ancier|d[ée]tenteur) actuel",
        r"justificati", r"preuve", r"par [ée]crit", r"(?:envoy|transmett|adress)(?:ez|er)"
        r"(?:-moi| moi)? (?:un |une |le |la |les |des )?(?:courrier|lettre|document|d[ée]tail"
        r"|facture|contrat|relev[ée]|copie|d[ée]compte|justificatif|preuve)", r"prouvez",
        r"(?:voir|avoir|recevoir) (?:la|le|une|un|les) (?:facture|contrat|documents?|copie"
        r"|relev[ée]|d[ée]tail)", r"copie (?:de la facture|du contrat)", r"cr[ée]ancier d'origine",
        r"montrez(?:-moi)? (?:les|le|la) (?:papiers|papier|contrat|facture|documents?|preuves?)",
        r"(?:envoy|transmett)(?:ez|er)(?:-moi| moi)? (?:[çc]a|le papier|les papiers) (?:par"
        r" (?:courrier|mail|[ée]crit)|avec)", r"courrier officiel", r"(?:par|en) courrier",
        r"papier avec la dette", r"(?:ma|avec ma) signature",
        r"noir sur blanc", r"d[ée]compte (?:d[ée]taill|pr[ée]cis|complet|[ée]crit|exact)",
        r"(?:besoin|voudrais|veux|envoyez|envoyer)[^.]{0,20}(?:relev[ée] de compte|d[ée]compte"
        r"|historique des (?:paiements|factures))",
        r"(?:facture|courrier|lettre|papier|relev[ée])s? dans (?:ma|la) bo[îi]te aux lettres",
        r"(?:le )?d[ée]tail (?:des|du|de la|de l') ?(?:int[ée]r[êe]ts?|frais|calcul|somme|montant|"
        r"dette|facture|p[ée]nalit[ée]s)",
        r"(?:lettre|papier|courrier|facture|preuve|document)s? avant de (?:payer|r[ée]gler|donner|"
        r"verser|accepter)",
        r"sans (?:une |la |aucune )?(?:facture|justificatif|preuve|papier|courrier|relev[ée])\b",
        r"cr[ée]ancier (?:d'origine|initial|originel)",
        r"tant que j'?(?:ai|aurai|aurais) (?:pas|rien) (?:vu|re[çc]u|eu|lu)",
        r"comment je (?:sais|peux savoir),? (?:moi,? )?que vous (?:[êe]tes|etes)",
        r"(?:faire )?v[ée]rifier (?:le|mon|ce) dossier",
        r"(?:sorti|sortez|sortir|vient|viennent|sort) (?:d'o[ùu]|de o[ùu]),? (?:ce|cette|votre|ces"
        r") (?:chiffre|montant|somme|total|frais)|d'o[ùu] (?:il |ça |ca )?(?:sort|vient)(?: ce| ce"
        r"tte| votre)? (?:chiffre|montant|somme|total)",
    ],
    "lawyer": [
        r"avocat", r"huissier", r"juridique", r"juriste",
        r"(?<!greffe du )(?<!greffe d'un )(?<!travaille au )(?<!bosse au )tribunal", r"\bjustice\b",
        r"\bma[îi]tre (?!d'h)[a-zé]+(?![^.]{0,20}notaire)",
        r"proc[èe]s", r"assigner", r"porter plainte", r"plainte", r"protection juridique",
        r"mon conseil(?!ler (?:bancaire|financier|cl|en))",
        r"cabinet\b", r"de la part de notre cli", r"association de consommateurs",
        r"que choisir", r"\bufc\b",
        r"\bbaveux\b",
    ],
    "bankruptcy": [
        r"faillite", r"surendett", r"banque de france", r"plan de redressement",
        r"r[ée]tablissement personnel", r"liquidation", r"redressement judiciaire",
        r"commission de", r"dossier de surendettement",
        r"plan conventionnel", r"\bredressement\b", r"proc[ée]dure collective",
        r"proposition de consommateur", r"syndic (?:de faillite|autoris)",
        r"r[èe]glement collectif de dettes",
        r"m[ée]diat(?:eur|rice|ion) de dettes?",
    ],
    "ask_human": [
        r"(?<!mon )(?<!ma )conseill[eè]re?(?! (?:bancaire|financi))",
        r"un humain", r"(?:une )?(?:vraie|vraie) personne", r"quelqu'un de"
        r" r[ée]el", r"un (?:agent|op[ée]rateur|responsable|interlocuteur)", r"une op[ée]ratrice",
        r"(?:parler|discuter) (?:à|a|avec) (?:quelqu'un|un humain|une personne|un conseiller"
        r"|une conseill|un responsable|votre sup|un agent|un vrai)", r"service client",
        r"passez-moi", r"transf[ée]rez-moi", r"mettez-moi en relation", r"pas (?:parler|causer)"
        r" (?:à|a|avec) (?:un robot|une machine)",
        r"membre (?:de votre|du) personnel", r"(?:une dame|un monsieur) (?:à qui|que j'ai)",
        r"op[ée]rat", r"avoir quelqu'un", r"(?:parler|joindre) (?:au|le|la) (?:responsable"
        r"|chef|directeur|directrice)", r"\ble chef\b", r"(?:une|avec une) personne",
        r"quelqu'un (?:avec qui|à qui|peut me rappeler)", r"joindre quelqu'un", r"me transf[ée]rer",
        r"(?:aime|veux) pas (?:ces|les) machines",
        r"quelqu'un qui parle",
        r"(?:parler|passer|joindre) (?:à|a|avec) (?:madame|monsieur|mme|mlle|m\.) \w",
        r"(?:je (?:peux|pourrais|voudrais)|puis-je|pourrais-je) (?:avoir|parler [àa])"
        r" (?:madame|monsieur|mme|mlle|m\.) \w",
        r"(?:parler|passer|joindre|ravoir|retrouver) (?:au|à la|a la|le|la) (?:monsieur|dame"
        r"|personne|jeune homme|jeune femme) (?:que|qui|avec qui|à qui|de la derni)",
        r"(?:c'est|c'[ée]tait) (?:elle|lui) qui (?:suit|g[èe]re|s'occupe de|a) (?:mon|le) dossier",
    ],
    "card_data": [
        r"num[ée]ro de (?:ma )?carte", r"ma carte (?:c'est|est)", r"date d'expiration",
        r"expire (?:en|le|fin)", r"cryptogramme", r"code de s[ée]curit[ée]",
        r"les (?:trois|3) (?:chiffres|num[ée]ros) (?:au dos|derri[èe]re)",
    ],
}

NEGOTIATION_EN: dict[str, list[str]] = {
    "hardship": [
        r"lost my (?:job|work|income|business)", r"laid off", r"unemploy", r"out of work",
        r"no (?:job|work|income)", r"redundan", r"(?:can't|cannot|can not|couldn't) afford",
        r"struggl", r"hardship", r"(?:difficult|hard|tough|rough) (?:time|times|year|month|spot"
        r"|patch)", r"\bbroke\b", r"skint", r"no money", r"short (?:of|on) (?:money|cash)",
        r"(?:money|things|it)(?:'s| is) (?:tight|hard)", r"tight (?:this|at the|right|budget)",
        r"disab", r"on benefits", r"welfare", r"food stamps", r"low income", r"pension",
        r"fixed income", r"behind on (?:rent|bills|everything)", r"divorc", r"separated",
        r"(?:my )?hours (?:got |were )?cut", r"living paycheck to paycheck", r"in debt",
        r"can barely", r"(?:only|just) (?:get|earn|make) ", r"(?:sick|ill) (?:leave|pay)",
        r"maternity", r"single (?:mom|mum|parent|dad)", r"medical bills", r"can't work",
        r"(?:bit|little|pretty|really|very|a tad) (?:tight|stretched|thin on the ground)",
        r"things are (?:a bit |pretty |really )?(?:stretched|tight|lean)",
        r"universal credit|universe all credit|jobseeker|job seeker|\bon (?:esa|pip|ssi|ssdi|centr"
        r"elink|the dole)\b|\bon the pension\b",
        r"between (?:jobs|contracts|work)",
        r"(?:seasonal work|zero[- ]hours?)",
        r"(?:interest|payments?|repayments?|instalments?)(?:'s| is| are) killing me",
        r"nothing left (?:after|once|to pay|for)",
    ],
    "pay_in_full": [
        r"pay (?:it |the (?:whole|full|entire) (?:thing|amount|balance|lot) |everything |all "
        r"(?:of it )?)?in full", r"pay (?:it )?(?:all|everything|the lot|the whole (?:thing|amount"
        r"|balance|lot)|the full (?:amount|balance)|the total|off)(?: now| today| at once| in one"
        r"|$)", r"(?:full|whole|entire) (?:amount|balance|thing)", r"clear (?:it|the (?:whole"
        r" )?balance|everything|the debt)", r"in one (?:go|payment|shot|lump)", r"all at once",
        r"(?:the )?whole (?:lot|thing)",
    ],
    "settlement": [
        r"settle", r"settlement", r"lump sum", r"discount", r"(?:reduce|lower|knock off|take off"
        r"|cut) (?:the|some|a bit|part)", r"(?:knock|take) (?:some|a bit|something) off",
        r"one[- ]off payment", r"close (?:it|the account|this)(?: out)?", r"call it (?:even|"
        r"square|done)", r"less than (?:the )?(?:full|whole|total)", r"reduced",
        r"(?:accept|take) (?:less|\d+)",
    ],
    "ask_options": [
        r"what are (?:my|the) (?:options|choices)", r"what (?:can|could) (?:i|you|we) (?:do|offer"
        r"|work out)", r"what (?:options|choices|plans)", r"options", r"choices",
        r"what do you (?:have|offer|suggest|recommend)", r"how (?:can|could|do) i pay",
        r"what would you (?:suggest|recommend)", r"what's possible", r"what is possible",
        r"what (?:are|is) (?:the )?(?:minimum|lowest)", r"(?:any|other) (?:way|plan)s?",
        r"give me (?:some )?(?:options|choices)", r"what works",
    ],
    "repeat": [
        r"repeat", r"say (?:that|it) again", r"\bpardon\b", r"come again",
        r"(?:didn't|did not|couldn't) (?:catch|hear|get) (?:that|it|you)", r"what did you say",
        r"(?:one )?more time", r"\bsorry\?\s*$", r"^\s*what\?\s*$", r"^\s*huh\??\s*$",
        r"you're breaking up", r"(?:didn't|don't) understand",
    ],
    "switch_language": [
        r"(?:in |speak |parle[rz]? |talk )french", r"en fran[çc]ais", r"parlez[- ]vous",
        r"(?:in |speak |talk )english", r"(?:in )?spanish", r"espa[ñn]ol",
    ],
}

NEGOTIATION_FR: dict[str, list[str]] = {
    "hardship": [
        r"perdu mon (?:emploi|travail|boulot|job)", r"ch[ôo]mage", r"licenci", r"sans emploi",
        r"difficult", r"du mal (?:à|a)", r"pas les moyens", r"fin de mois", r"malade",
        r"invalidit", r"handicap", r"\brsa\b", r"\bcaf\b", r"allocation", r"faibles? revenus?",
        r"sans revenus?", r"petite retraite", r"divorc", r"s[ée]par[ée]", r"fauch[ée]",
        r"pas un rond", r"pas d'argent", r"plus d'argent", r"\bserr[ée]", r"\bgal[èe]re",
        r"je m'en sors pas", r"je ne m'en sors pas", r"d[ée]couvert", r"pas de (?:travail"
        r"|boulot)", r"int[ée]rim", r"temps partiel", r"arr[êe]t maladie", r"budget (?:serr|"
        r"limit)", r"je touche (?:que|seulement)",
        r"(?:un peu|trop|tr[èe]s|vraiment|assez) juste (?:ce mois|en ce moment|financi|niveau (?:a"
        r"rgent|sous|fric)|avec)",
        r"\b(?:[àa]|a) sec\b",
        r"(?:pension|retraite) (?:est |reste )?(?:modeste|petite|maigre)",
        r"\bje touche (?:le |l'|que le |que l')?(?:rsa|are|aah|ch[ôo]mage|minimum)",
        r"c'est (?:chaud|tendu|compliqu[ée]) (?:ce mois|en ce moment|niveau (?:argent|fric|thunes?"
        r"))",
        r"cass[ée] (?:ben |bien )?raide",
        r"saisonni",
        r"rien sur (?:le|mon) compte",
        r"j'ai pas (?:l'argent|les sous|de quoi)",
        r"(?:pas|plus) (?:de|d') ?(?:sous|thunes?|fric|bl[ée]|oseille)\b",
    ],
    "pay_in_full": [
        r"tout payer", r"payer (?:la totalit[ée]|le tout|tout|l'int[ée]gralit[ée]|en totalit[ée]"
        r"|d'un coup|en une fois)", r"en une (?:seule )?fois", r"totalit[ée]",
        r"int[ée]gralit[ée]", r"(?:tout )?r[ée]gler (?:tout|le tout|la totalit[ée]|d'un coup)",
        r"d'un (?:seul )?coup", r"tout (?:r[ée]gler|rembourser|solder)", r"le tout",
    ],
    "settlement": [
        r"r[ée]duction", r"remise", r"rabais", r"ristourne", r"geste commercial",
        r"arrangement global", r"solder", r"moins (?:que|cher)", r"(?:baisser|diminuer|r[ée]duire)"
        r" (?:le|la) (?:montant|somme|dette)", r"clore (?:le|ce) dossier", r"faire une croix",
        r"on (?:est|serait) quittes",
    ],
    "ask_options": [
        r"quelles? (?:sont (?:les|mes) )?(?:options|possibilit[ée]s|solutions|choix)",
        r"qu'est-ce que (?:vous )?(?:pouvez|pourriez) (?:me )?propos", r"que proposez-vous",
        r"vous (?:me )?proposez quoi", r"mes options", r"comment (?:je peux|puis-je|on peut)"
        r" (?:payer|r[ée]gler|faire)", r"qu'est-ce qui est possible", r"c'est quoi (?:les|mes)"
        r" (?:options|possibilit)", r"quelles? (?:formules?|solutions?)", r"vous avez quoi",
        r"qu'est-ce que vous (?:avez|proposez)",
    ],
    "repeat": [
        r"r[ée]p[ée]t", r"redire", r"\bpardon\s*\?", r"j'ai pas (?:compris|entendu|saisi)",
        r"je n'ai pas (?:compris|entendu|saisi)", r"vous (?:pouvez|pourriez) r[ée]p[ée]ter",
        r"comment\s*\?\s*$", r"^\s*quoi\s*\?\s*$", r"encore une fois", r"je vous entends mal",
    ],
    "switch_language": [
        r"english", r"anglais", r"en fran[çc]ais", r"parler fran[çc]ais",
    ],
}

# Not consent, whatever else is said: hedges, conditions, sarcasm, delays.
_YES_WORDS_EN = (r"(?:yes|yeah|yep|yup|agree|agreed|i do|that's fine|go ahead|deal|ok|okay"
                 r"|alright|all right|let's do it|sounds good)")
_PRAISE_EN = (r"(?:great|wonderful|brilliant|fantastic|lovely|perfect|marvell?ous|terrific"
              r"|amazing|super|splendid|fabulous|just great)")
_YES_WORDS_FR = (r"(?:oui|ouais|ouaip|d'accord|ok|okay|j'accepte|[çc]a marche|[çc]a me va"
                 r"|entendu|allons-y|vas-y|allez-y)")
_PRAISE_FR = (r"(?:super|g[ée]nial|parfait|formidable|magnifique|bravo|merveilleux|trop bien"
              r"|chouette|g[ée]nialissime|fantastique)")

HEDGES = {
    "en": [
        r"not (?:sure|certain|really|quite|yet|convinced|so sure)", r"unsure", r"i guess",
        r"i suppose", r"\bmaybe\b", r"\bperhaps\b", r"possibly", r"probably", r"i think so",
        r"i don't (?:know|think)", r"\bdunno\b", r"think (?:about|it over|on it)",
        r"let me (?:think|check|see|talk|ask|look)", r"need (?:to think|time|some time|a minute)",
        r"sleep on it", r"(?:talk|speak|check) (?:to|with) (?:my|the) ", r"ask my", r"we'll see",
        r"yeah,? right", r"sure,? sure", r"whatever", r"if i (?:have to|must)", r"i'd rather not",
        r"kind of(?! thing| stuff| plan| payment| deal| arrangement)",
        r"sort of(?! thing| stuff| plan| payment| deal| arrangement)", r"i'll try",
        r"(?:call|get) (?:you )?back", r"hold on",
        r"^\s*(?:um+|uh+|erm|hmm+|hm+|well)[.,!?]*\s*$", r"not now", r"later",
        r"depends", r"i'm not (?:sure|saying yes)", r"(?:do|did) i have a choice",
        r"as if", r"(?:yeah|yes|ok|okay),? but", r"if (?:you|i|that|it|we)", r"can i (?:think"
        r"|wait|have)", r"for now", r"i hope so", r"fingers crossed", r"no idea",
        r"i guess so", r"not a chance", r"in your dreams", r"\bhardly\b", r"under protest",
        # Praise with an "oh" before it, or piled up, and no yes-word: often sarcasm. Asking
        # again costs a sincere caller one question; taking it as consent could cost a plan.
        rf"^(?!.*\b{_YES_WORDS_EN}\b)(?:oh|ooh|ah|well),? (?:sure|{_PRAISE_EN}|how (?:lovely"
        r"|nice|kind))\b",
        rf"^(?!.*\b{_YES_WORDS_EN}\b).*\b{_PRAISE_EN}\b[,.!]+ (?:just |really |absolutely "
        rf"|simply |oh )?{_PRAISE_EN}\b",
        r"just what i (?:wanted|needed)", r"can't wait to (?:pay|give you)",
    ],
    "fr": [
        r"je ne sais pas", r"j(?:e |')sais pas", r"chais pas", r"pas (?:s[ûu]r|certain|vraiment"
        r"|encore|convaincu)", r"peut-[êe]tre", r"je (?:pense|crois|suppose)", r"\bbof\b",
        r"\bmouais\b", r"r[ée]fl[ée]chi", r"faut (?:voir|que je)", r"on verra", r"je vais voir",
        r"(?:en parler|demander|voir) (?:à|a|avec) (?:mon|ma|mes)", r"pourquoi pas",
        r"si vous (?:voulez|le dites)", r"(?:c'est )?ça,? ouais", r"tu parles", r"j'essaierai",
        r"je (?:vous )?rappel", r"plus tard", r"attendez", r"^\s*(?:euh+|heu+|hum+|bah|ben)"
        r"[.,!?]*\s*$", r"[çc]a d[ée]pend", r"(?:oui|ouais|d'accord),? mais", r"si (?:je|vous"
        r"|[çc]a|on)", r"j'ai le choix", r"pas maintenant", r"laissez-moi", r"le temps de",
        r"j'esp[èe]re", r"on sait jamais", r"mouais", r"ouais,? ouais,? c'est [çc]a",
        rf"^(?!.*\b{_YES_WORDS_FR}\b)(?:oh|ah|ben|bah|eh ben|ah ben),? {_PRAISE_FR}",
        rf"^(?!.*\b{_YES_WORDS_FR}\b).*{_PRAISE_FR}[,.!]+ (?:vraiment |trop |carr[ée]ment "
        rf"|ah )?{_PRAISE_FR}", r"ben bravo", r"c'est le pied",
    ],
}

QUESTION_WORDS = {
    "en": r"^(?:so |and |but |ok |okay |um |uh |wait |sorry |hey )*(?:what|why|how|when|where|who"
          r"|which|whose|can i|can you|could i|could you|do i|do you|does|did|is it|is this|is "
          r"there|are you|are there|am i|will|would|should|have i|has)\b",
    "fr": r"^(?:et |mais |alors |donc |euh |bon |attendez )*(?:qu'est-ce|est-ce|pourquoi|comment"
          r"|combien|quand|o[ùu]\b|qui\b|quel|quelle|quels|quelles|puis-je|peut-on|pouvez-vous"
          r"|vous [êe]tes|c'est quoi|c'est qui|y a-t-il|je dois|on peut|il faut)",
}

TOPICS = {
    "en": {
        # "AI", but not the "ai" of a French "j'ai" heard on an English line.
        "robot": [r"robot", r"\bbot\b", r"machine", r"computer", r"automated", r"recording",
                  r"(?<!')(?<!\bj )\bai\b", r"\ba\.i\b", r"artificial",
                  r"(?:real|actual|live) (?:person|human)",
                  r"(?:is this|is that|am i (?:talking|speaking) (?:to|with)) (?:a |an )?"
                  r"(?:human|person)\b",
                  r"are you (?:a )?(?:human|real|a person|alive)",
                  r"talking to a (?:person|human)"],
        "missed_payment": [r"miss(?:ed)? (?:a|one|the|my|any)? ?(?:of (?:the|my|these|those) )?"
                           r"(?:payment|instal)",
                           r"(?:can't|cannot|don't|couldn't) (?:make|pay) (?:a|one|the) "
                           r"(?:payment|month)", r"late (?:payment|with a payment)",
                           r"skip (?:a|one) (?:payment|month)", r"(?:if|what if) i(?:'m| am)"
                           r" late", r"(?:if|what if) i (?:can't|don't|fail)", r"fall behind",
                           r"default"],
        "down_payment_why": [r"down ?payment", r"deposit", r"up ?front", r"pay (?:something|"
                             r"some|part) first", r"why (?:do i|should i|must i) pay .*first",
                             r"(?:first|initial) payment (?:so )?(?:big|high|large)"],
        "minimum_why": [r"minimum", r"lowest (?:amount|payment|i can)", r"least i can",
                        r"(?:why|how come) (?:so much|that much|it's so high|25|fifty|50|20)",
                        r"(?:smaller|lower) (?:than|amount|payments)", r"less than \d+"],
        "who_creditor": [r"who (?:is|are) (?:this|you|calling|these people)", r"who do i owe",
                         r"(?:what|which) company", r"who am i (?:talking|speaking)",
                         r"what is this (?:about|regarding|for)", r"what's this (?:about|for)",
                         r"who(?:'s| is) the creditor", r"who (?:do you|are you) work",
                         r"what (?:is|was) the debt for", r"what (?:do i|is it i) owe (?:for|on)"],
        "pay_by_card": [r"pay (?:by|with|on) (?:card|credit|debit|my card)", r"pay (?:it )?(?:now"
                        r"|right now|today|over the phone)", r"take (?:a |my |the )?payment",
                        r"(?:card|credit card|debit card) (?:now|payment)", r"pay online",
                        r"how do i (?:actually )?pay", r"where do i (?:send|pay)"],
        "how_dispute": [r"how (?:do|can|would|should) (?:i|we|one) (?:go about )?(?:dispute"
                        r"|contest|challenge|complain|appeal|make a complaint)",
                        r"(?:where|who) (?:do|can) i (?:complain|send a complaint)"],
    },
    "fr": {
        "robot": [r"robot", r"machine", r"ordinateur", r"automat", r"enregistrement",
                  r"\bia\b", r"intelligence artificielle",
                  r"vraie? (?:personne|humain|conseill[èe]re?)", r"(?:un|une) humain",
                  r"vous [êe]tes (?:humain|r[ée]el|une personne)"],
        "missed_payment": [r"(?:rate|manque|saute|oublie|loupe)r? (?:un|une|le) (?:paiement"
                           r"|versement|mensualit|[ée]ch[ée]ance)", r"si je ne (?:peux|paie|paye)"
                           r" pas", r"en retard", r"retard de paiement", r"(?:paiement|versement)"
                           r" (?:manqu|rat|en retard)", r"si j'ai un (?:probl[èe]me|impr[ée]vu)",
                           r"impay[ée]"],
        "down_payment_why": [r"acompte", r"apport", r"premier versement", r"(?:payer|verser)"
                             r" (?:d'abord|avant|tout de suite)", r"versement initial"],
        "minimum_why": [r"minimum", r"le moins", r"pourquoi (?:autant|si cher|20|vingt|ce "
                        r"montant)", r"moins de \d+", r"plus petit montant"],
        "who_creditor": [r"qui (?:[êe]tes-vous|est-ce|appelle|[êe]tes vous|vous [êe]tes)",
                         r"(?:quelle|c'est quelle) (?:soci[ée]t[ée]|entreprise|boîte)",
                         r"de la part de qui", r"(?:à|a) qui je dois", r"c'est (?:pour|à propos"
                         r" de) quoi", r"qui est le cr[ée]ancier", r"(?:ça|c'est) concerne quoi"],
        "pay_by_card": [r"payer (?:par|avec) (?:carte|cb|ma carte)", r"(?:payer|r[ée]gler)"
                        r" (?:maintenant|tout de suite|aujourd'hui|par t[ée]l[ée]phone)",
                        r"prendre (?:mon|le|un) paiement", r"carte bancaire", r"\bcb\b",
                        r"payer en ligne", r"comment (?:je )?(?:paie|paye|payer)"],
        "how_dispute": [r"comment (?:je peux |puis-je |on peut |faire pour |fait-on pour |on fait"
                        r" pour )?(?:contester|faire une r[ée]clamation|me plaindre|porter"
                        r" r[ée]clamation)", r"(?:o[ùu]|[àa] qui) (?:je peux |puis-je )?"
                        r"(?:envoyer|adresser|faire) (?:une|ma) r[ée]clamation"],
    },
}

# Picking one of the options just read out.
# Ordinals that say when, not which: "on the first", "the first of March", "give me
# a second", "le mois dernier", "la première fois", "le premier janvier".
_NOT_A_DATE_EN = (r"(?<!\bon )(?<!\bby )(?<!\bat )(?<!\bon the )(?<!\bby the )(?<!\bfrom the )"
                  r"(?<!\bafter the )(?<!\bbefore the )(?<!\buntil the )(?<!\btill the )"
                  r"(?<!\bsince the )(?<!\bstarting the )")
_NOT_TIME_EN = (r"(?! (?:of|time|times|payment|payments|instal\w*|week|month|day|thing|things"
                r"|place|call|letter|bill|year|half|quarter|name|line|hand|job|house|car"
                rf"|{MONTH_RE['en']})\b)(?!-)")
_AFTER_TIME_NOUN_FR = "".join(rf"(?<!\b{noun} )" for noun in (
    "mois", "semaine", "ann[ée]e", "an", "fois", "jour", "week-end", "trimestre", "nuit",
    "courrier", "lettre", "relance", "appel"))
_NOT_A_DATE_FR = (r"(?<!\bau )(?<!\bdu )(?<!\bd[èe]s le )(?<!\bavant le )(?<!\bapr[èe]s le )"
                  r"(?<!\bjusqu'au )(?<!\bpour le )(?<!\bd'ici le )(?<!\bà partir du )")
_NOT_TIME_FR = (r"(?! (?:fois|du mois|de chaque mois|jour|mois|semaine|ann[ée]e|temps|abord"
                r"|versement|paiement|pr[ée]l[èe]vement|[ée]ch[ée]ance|mensualit[ée]|relance"
                r"|courrier|lettre|appel|d[ée]lai|recours|moment|minute|enfant|week-end"
                rf"|{MONTH_RE['fr']})\b)(?!-)")

OPTIONS = {
    "en": [
        ("1", rf"{_NOT_A_DATE_EN}\b(?:the )?(?:first|1st)\b{_NOT_TIME_EN}"
              r"|(?:option|number|plan) (?:one|1|a)\b"),
        ("2", rf"{_NOT_A_DATE_EN}(?<!\ba )(?<!\bone )\b(?:the )?(?:second|2nd)\b{_NOT_TIME_EN}"
              r"|(?:option|number|plan) (?:two|2|b)\b"),
        ("3", rf"{_NOT_A_DATE_EN}(?<!\ba )(?<!\bone )(?<!\btwo )\b(?:the )?(?:third|3rd)\b"
              rf"{_NOT_TIME_EN}|(?:option|number|plan) (?:three|3|c)\b"),
        ("last", r"\bthe last (?:one|option|plan)\b|\blast one\b"),
        ("lowest", r"\b(?:lowest|smallest|cheapest|least|lower|smaller|minimum) (?:one|option"
                   r"|plan|payments?|monthly|amount|instal)|\bthe (?:lowest|smallest|cheapest)\b"),
        ("highest", r"\b(?:highest|biggest|largest|quickest|fastest) (?:one|option|plan|payments?)"
                    r"|\bthe (?:highest|biggest|largest)\b|\bpay (?:it )?(?:all|in full) one\b"),
        ("shortest", r"\b(?:shortest|fewest|least number of) (?:one|option|plan|payments?|time)"
                     r"|\bfewest\b"),
        ("longest", r"\b(?:longest|most) (?:one|option|plan|payments?|months?|time)"
                    r"|\bspread (?:it )?(?:out )?the most\b"),
    ],
    "fr": [
        ("1", rf"{_NOT_A_DATE_FR}\b(?:le |la )?premi[eè]re?\b{_NOT_TIME_FR}"
              r"|\boption (?:un|une|1|a)\b|\bnum[ée]ro (?:un|1)\b"),
        ("2", rf"{_NOT_A_DATE_FR}(?<!\bune )\b(?:le |la )?(?:deuxi[eè]me|seconde?)\b"
              rf"{_NOT_TIME_FR}|\boption (?:deux|2|b)\b|\bnum[ée]ro (?:deux|2)\b"),
        ("3", rf"{_NOT_A_DATE_FR}\b(?:le |la )?troisi[eè]me\b{_NOT_TIME_FR}"
              r"|\boption (?:trois|3|c)\b|\bnum[ée]ro (?:trois|3)\b"),
        ("last", rf"(?<!\bce )(?<!\bcette )(?<!\ben ){_AFTER_TIME_NOUN_FR}\b(?:le |la )?"
                 rf"derni[eè]re?\b{_NOT_TIME_FR}"),
        ("lowest", r"\b(?:le |la )?(?:plus (?:bas|basse|petit|petite|faible)|moins (?:cher|ch[èe]re"
                   r"|[ée]lev[ée]e?))\b|\bmensualit[ée]s? (?:la|les) plus (?:basses?|petites?)\b"),
        ("highest", r"\b(?:le |la )?plus (?:[ée]lev[ée]e?|gros|grosse|haut|haute|rapide)\b"),
        ("shortest", r"\b(?:le |la )?plus court(?:e)?\b"
                     r"|\bmoins de (?:paiements|versements|mois)\b"),
        ("longest", r"\b(?:le |la )?plus long(?:ue)?\b|\bplus de (?:paiements|versements|mois)\b"),
    ],
}

# Words that tell French from English in a line, for a caller who speaks the
# other language from the first words.
LANGUAGE_MARKERS = {
    "fr": {"je", "j'ai", "vous", "est", "c'est", "oui", "non", "bonjour", "merci", "le", "la",
           "les", "des", "une", "pas", "pour", "avec", "mon", "ma", "mes", "nous", "suis",
           "peux", "voudrais", "parler", "français", "euros", "dossier", "payer", "mois",
           "qu'est-ce", "pourquoi", "comment", "allô", "d'accord", "être", "très", "ça"},
    "en": {"i", "i'm", "you", "is", "it's", "yes", "no", "hello", "thanks", "thank", "the",
           "and", "my", "to", "for", "with", "can", "pay", "month", "would", "like", "speak",
           "english", "dollars", "account", "what", "why", "how", "okay", "please", "this",
           "that", "don't", "want", "have", "of"},
}
