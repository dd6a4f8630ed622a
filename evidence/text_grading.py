"""Study design and subjects from the words of a title and abstract.

PubMed's own grading (publication types, MeSH check tags) arrives months after
a record, and never for journals outside MEDLINE. This module grades a record
from what its authors wrote instead, with the codes of the indexed grade:

    designs:  notice, meta-analysis, rct, clinical-trial, observational,
              guideline, case-report, review, opinion, other
    subjects: humans, animals, in-vitro, unknown

Every rule is a row of plain data (``DESIGN_RULES``, ``SUBJECT_RULES``) with a
description staff can read; ``text_rule_rows()`` gives them as table rows. A grade
comes with the exact words of the text that decided it, so a page can say
"from the abstract: 'randomised, double-blind, placebo-controlled trial'".

How a grade is decided:

* The text is cut into parts: the title, then each abstract section (its
  label included: "CASE PRESENTATION" is itself a cue). A phrase weighs by
  where it stands: the title and a Methods/Design/Case section describe this
  study; a Background section mostly describes other work; an unlabelled
  abstract's first sentence is background and its last a conclusion.
* A design phrase in a *mention* does not count: negated ("no randomised
  trials were found"), wished for ("future randomised trials are needed"),
  plural ("twelve randomised trials were included": a study is one trial), or
  about other work ("a previous meta-analysis showed"). Words that tie the
  phrase to this study ("this trial", "a secondary analysis of a randomised
  trial") win over words pointing elsewhere, not over a negation.
* A design the title states wins; the abstract may only make it narrower
  (a "review" whose methods say "systematic review"; a "prospective study"
  whose patients "were randomly assigned"). A reply or comment whose title
  quotes a trial is an opinion, not a trial. Without a design in the title,
  the strongest design with enough weight wins, as in the indexed grade: a
  systematic review *of* trials is a systematic review, a case report with a
  literature review is a case report.
* A protocol (a study not yet done) is graded ``other``: it is no evidence
  yet, and PubMed too gives protocols no trial publication type.
* Subjects: humans if people were studied, even beside mice; animals if
  animals and no people (people named in passing, "a target for patients",
  do not make an animal study human); in-vitro if only cells, cultures or
  organoids; unknown otherwise. Randomising animals makes no clinical trial.

Speed (it runs on every imported record): the text is split into its words
once, and one set intersection finds the rules whose ``needs`` (and ``also``)
words occur; only those run. Each pattern is compiled as its top-level
alternatives apart ("(?:random|fixed)-effects" as "random-effects" and
"fixed-effects"), so that every regex starts with a literal word: Python's re
then skips ahead fast, while a leading choice or word-boundary test costs 3 to
10 times more. The word boundary and the context before a match (``before``:
required, ``extend``: shown when present) are checked per match, in Python.
"""

import re
from bisect import bisect_right
from functools import lru_cache
from typing import NamedTuple

from litref.evidence.vocabularies.designs import RANK as DESIGN_RANK



class Rule(NamedTuple):
    code: str          # the design or subjects it votes for ("protocol", "reply": see _design)
    cue: str           # how it counts: a key of CUES
    needs: tuple       # words (whole words of the text) of which one must be there
    pattern: str       # regular expression over the lower-cased text; "{words}" stands for WORDS
    description: str   # what staff read
    before: str = ""   # regular expression the text just before the match must end with
    extend: str = ""   # regular expression of words before the match shown with it when present
    words: tuple = ()  # a vocabulary: the phrases of it that occur replace "{words}"
    also: tuple = ()   # words of which one must be there too (a second, cheap gate)


CUES = {
    "names": "names a design or subjects; counts by where it stands",
    "states": "says what this study did ('we report', 'were randomly assigned'); counts double",
    "title": "counts in the title only",
    "strong": "people counted, aged or consented: counts for people even beside animals",
    # For subjects, "states" is one person described (a case report's patient): counts double.
    "context": "clinical setting only: counts for people when nothing else names subjects",
}

# ---------------------------------------------------------------------------
# Vocabulary shared by several rules.

_NUMBER = (r"(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|"
           r"seven|eigh|nine)teen|"
           r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ][a-z]+)?|hundreds|thousands)")
_PHASE = r"phase (?:i{1,3}v?|iv|[1-4])[ab]?(?:/(?:i{1,3}|[1-4])[ab]?)?"
_RANDOM_WORDS = ("randomised", "randomized", "randomly", "randomisation", "randomization", "rct", "rcts")
# Words that may stand between "randomised" and "trial".
_TRIAL_MODIFIERS = (
    r"(?:,? (?:(?:double|single|triple|quadruple|observer|assessor|investigator|participant|patient)"
    r"[- ](?:blind(?:ed)?|mask(?:ed)?)|blinded|unblinded|non-?blinded|open[- ]label|(?:sham|placebo|active|waitlist|wait-list|"
    r"attention|vehicle)[- ]controlled|controlled|control|multi-?cent(?:er|re)|multi-?national|international|"
    r"parallel[- ](?:group|arm)|two[- ]arm|three[- ]arm|cross-?over|cluster|stepped[- ]wedge|pragmatic|"
    r"pilot|feasibility|prospective|clinical|comparative|non-?inferiority|superiority|equivalence|"
    r"factorial|intra-?individual|within-subjects?|split-(?:mouth|face|body)|" + _PHASE + r"|and|or|"
    r"[a-z0-9]+-(?:period|way|arm|group|sequence|treatment)))*"
)
# Words that may stand before "trial" in a trial that is not (said to be) randomised.
_NONRANDOM_TRIAL = (
    r"(?:(?:single|one|two)[- ]arm(?:ed)?|open[- ]label|non-?randomi[sz]ed|uncontrolled|first[- ]in[- ]"
    r"(?:human|man)|dose[- ](?:escalation|finding|ranging)|" + _PHASE + r"|pilot|feasibility|exploratory|"
    r"interventional|investigator[- ]initiated|(?:placebo|sham)[- ]controlled|double[- ]blind(?:ed)?|"
    r"controlled|clinical|multi-?cent(?:er|re)|prospective)"
)
_COHORT_MODIFIERS = (
    r"(?:(?:retrospective|prospective|longitudinal|population[- ]based|nation-?wide|multi-?cent(?:er|re)|"
    r"historical|birth|observational|matched|hospital[- ]based|community[- ]based|register[- ]based|"
    r"registry[- ]based|inception|single[- ]cent(?:er|re)|ambispective|national|large|descriptive|"
    r"comparative|analytical|bicent(?:er|re)|monocent(?:er|re)|real[- ]world|non-?interventional|"
    r"consecutive|case[- ]series|cross[- ]sectional),? )+"
)
_CASE_PEOPLE = (r"man|woman|male|female|boy|girl|patient|child|infant|neonate|newborn|gentleman|lady|"
                r"primigravida|multigravida|primipara|multipara|adolescent|toddler")
_REVIEW_KINDS = (
    r"(?:(?:narrative|literature|critical|comprehensive|brief|mini|state-of-the-art|clinical|historical|"
    r"updated|general|short|concise|focused|integrative|scoping|structured|selective|topical|educational|"
    r"invited|contemporary|current|practical|non-systematic|rapid|evidence-based|overview|thematic|"
    r"pictorial)[- ])+$"
)
_ANIMALS = (
    "mice", "mouse", "murine", "rat", "rats", "rodent", "rodents", "rabbit", "rabbits", "hamster",
    "hamsters", "guinea pig", "guinea pigs", "guinea-pigs", "gerbils", "ferrets", "pigs", "piglet",
    "piglets", "swine", "sows", "gilts", "boars", "minipigs", "dog", "dogs", "puppies", "canines",
    "cats", "kittens", "felines", "horses", "foals", "mares", "ponies", "stallions", "cattle", "cows",
    "calves", "heifers", "steers", "bulls", "sheep", "ewes", "lambs", "goats", "chicken", "chickens",
    "broiler", "broilers", "hens", "laying hens", "roosters", "poultry", "quail", "quails", "ducks",
    "geese", "turkeys", "birds", "zebrafish", "medaka", "trout", "salmon", "carp", "tilapia",
    "catfish", "shrimp", "shrimps", "prawns", "crabs", "oysters", "mussels", "frogs", "xenopus",
    "tadpoles", "toads", "monkey", "monkeys", "macaque", "macaques", "primates", "nonhuman primates",
    "non-human primates", "baboons", "marmosets", "chimpanzees", "camels", "deer", "bats", "voles",
    "drosophila", "fruit flies", "c. elegans", "caenorhabditis elegans", "nematodes", "honeybees",
    "bees", "mosquitoes", "larvae", "livestock", "wildlife", "whale", "whales", "dolphins", "seals",
    "salamander", "salamanders", "newts", "lizards", "snakes", "turtles", "reptiles", "amphibians",
    "insects", "beetles", "butterflies", "moths", "ants", "spiders", "snails", "squid", "octopus",
    "zebra finches", "songbirds", "goldfish", "sticklebacks", "cichlids", "squirrels", "amphioxus",
    "lampreys", "sharks", "teleosts", "teleost fish", "invertebrates", "vertebrates", "fish", "fishes",
    "locusts", "crickets", "cockroaches", "worms", "earthworms", "leeches", "eels", "cod", "sea urchins",
    "starfish", "corals", "jellyfish", "hydra", "planarians", "axolotl", "axolotls", "geckos", "owls",
    "pigeons", "sparrows", "penguins", "parrots", "mink", "otters", "foxes", "wolves", "bears", "lions",
    "tigers", "elephants", "giraffes", "rhinoceros", "kangaroos", "opossums", "hedgehogs", "moles",
    "shrews", "alpacas", "llamas", "buffalo", "yaks", "donkeys", "mules", "zebu",
)
# Reagents, foods and viruses named after animals are no animal subjects: "mouse anti-human CD3",
# "bovine serum", "fish oil".
_NOT_REAGENT = (r"(?![- ](?:oil|oils|consumption|intake|meal|meals|allerg\w*|sauce|products?|anti|monoclonal|polyclonal|igg|igm|serum|sera|antibod|antisera|antiserum|hepatitis "
                r"virus|leuk[a]?emia virus|mammary tumou?r virus|sarcoma virus|embryonic fibroblasts? line|"
                r"cell lines?|macrophage cell line|strain of|mab|secondary))")
_PEOPLE = (
    "patients", "participants", "subjects", "volunteers", "individuals", "persons", "people", "men",
    "women", "adults", "adolescents", "children", "infants", "neonates", "newborns", "boys", "girls",
    "mothers", "fathers", "respondents", "outpatients", "inpatients", "residents", "nurses",
    "physicians", "doctors", "surgeons", "students", "workers", "survivors", "veterans", "athletes",
    "donors", "smokers", "recipients", "twins", "couples", "families", "caregivers", "carers", "cases",
    "pregnancies", "pregnant women", "deliveries", "members", "employees", "clinicians", "pharmacists",
    "dentists", "midwives", "soldiers", "prisoners", "users", "parents", "teenagers", "youths",
    "elderly", "dyads", "probands", "decedents", "deaths",
)
_PEOPLE_NAMED = (
    "patient", "patients", "participant", "participants", "volunteer", "volunteers", "human subjects",
    "humans", "men and women", "women and men", "adults", "adolescents", "children", "infants",
    "neonates", "newborns", "pregnant women", "outpatients", "inpatients", "respondents",
    "healthcare workers", "health care workers", "nurses", "physicians", "survivors", "caregivers",
    "individuals with", "persons with", "people with", "people living with", "women with", "men with",
)
_IN_VITRO = (
    "in vitro", "ex vivo", "cell line", "cell lines", "cell culture", "cell cultures", "cultured",
    "primary culture", "primary cultures", "organoid", "organoids", "spheroids", "coculture",
    "co-culture", "cocultured", "co-cultured", "cocultures", "co-cultures", "cell-based assay",
)
_CELL_LINES = (
    r"(?:hela|hek[- ]?293t?|mcf[- ]?7|mcf[- ]?10a|a549|hepg2|huh[- ]?7|caco[- ]?2|thp[- ]?1|raw ?264\.7|"
    r"sh[- ]?sy5y|jurkat|u937|pc[- ]?12|hct[- ]?116|ht[- ]?29|sw480|sw620|mda[- ]mb[- ]\d+|huvecs?|"
    r"nih[- ]?3t3|3t3[- ]l1|cho[- ]k1|vero|k562|lncap|pc[- ]?3|du145|hl[- ]?60|u87|u251|hacat|h9c2|bv[- ]?2|"
    r"beas[- ]2b|hk[- ]2|l929|mc3t3[- ]e1|c2c12|ins[- ]?1|min6|hepa1[- ]6|b16(?:[- ]?f10)?|4t1|ct26|"
    r"skov[- ]?3|a2780|hl[- ]?7702|lo2|mrc[- ]5|imr[- ]90|wi[- ]38)(?: cells?)?\b"
)
# Words a named cell line leaves in the text (short ambiguous ones such as "pc" or "ht" left out:
# "HT-29" is found when written "HT29").
_CELL_LINE_NEEDS = (
    "hela", "hek", "hek293", "hek293t", "mcf", "mcf7", "a549", "hepg2", "huh", "huh7", "caco", "thp",
    "264", "sy5y", "jurkat", "u937", "pc12", "hct", "hct116", "ht29", "sw480", "sw620", "mda", "huvec",
    "huvecs", "3t3", "nih3t3", "cho", "vero", "k562", "lncap", "pc3", "du145", "hl60", "u87", "u251",
    "hacat", "h9c2", "bv2", "beas", "l929", "mc3t3", "c2c12", "ins1", "min6", "hepa1", "b16", "4t1",
    "ct26", "skov", "skov3", "a2780", "lo2", "imr",
)

# ---------------------------------------------------------------------------
# The rules: plain data.

DESIGN_RULES = [
    # Notices: not evidence at all. Only a title that starts so says it reliably.
    Rule("notice", "title", ("erratum", "corrigendum", "correction", "corrections"),
         r"\A\[?(?:erratum|corrigendum|corrections?)(?:\s*(?::|to\b|for\b|regarding\b|notice\b|\.|$)|\s*\[)",
         "Title starts 'Erratum', 'Corrigendum' or 'Correction to / :'"),
    Rule("notice", "title", ("retraction", "retracted", "withdrawal", "withdrawn"),
         r"\A\[?(?:retraction|retracted|notice of retraction|withdrawal|withdrawn)(?:\s*(?::|of\b|note\b|"
         r"notice\b|statement\b|\.|$))",
         "Title starts 'Retraction', 'Retracted:' or 'Notice of retraction'"),
    Rule("notice", "title", ("concern",), r"expression of concern\b",
         "Title says 'Expression of concern'"),

    # Replies and comments: tried early, a quoting title decides at once (see _design).
    Rule("reply", "title",
         ("re", "reply", "response", "comment", "comments", "commentary", "author", "authors", "letter",
          "rebuttal", "editorial", "viewpoint", "perspective", "opinion", "correspondence", "debate", "et",
          "regarding", "concerning"),
         r"\A\[?(?:re:|reply(?: to)?\b|in reply\b|author(?:s|'s|s')? (?:reply|response)|response to (?:the )?"
         r"(?:letter|comment|editor|commentary|correspondence|reviewers?)|(?:editorial |invited )?comment(?:ary|s)? (?:on|to)\b|"
         r"letter to the editor|rebuttal|response:|reply:|(?:invited |editorial |expert )?(?:editorial|commentary|"
         r"comment|viewpoint|perspective|opinion|letter|correspondence|debate)s?\s*:)|(?:reply to|response to|responses to|comments? on|commentary on|"
         r"letter regarding|in reply to|in response to|regarding|concerning) [\"'\u201c\u2018\u00ab]|"
         r"comments? on\b|\bet al\b",
         "Title: 'Reply to', 'Comment on', 'Editorial:', 'Response to', '... by X et al.' (quotes another paper)"),

    # Meta-analyses and systematic reviews.
    Rule("meta-analysis", "names", ("systematic", "umbrella", "cochrane"),
         r"(?:systematic(?:al)?|umbrella|cochrane)(?: literature| critical| qualitative| mixed[- ]methods?| scoping)? "
         r"reviews?(?:,? (?:and|with|&) (?:an? )?(?:network |bayesian |dose-response )?meta-?analys[ie]s)?",
         "systematic review, umbrella review, Cochrane review"),
    Rule("meta-analysis", "names", ("meta", "metaanalysis", "metaanalyses", "metaregression"),
         r"meta-?(?:analys[ie]s|analytic(?:al)? (?:review|study|approach)|regression|synthesis)",
         "meta-analysis, network meta-analysis, meta-regression",
         extend=r"(?:network|bayesian|individual[- ]participant[- ]data|individual[- ]patient[- ]data|ipd|"
                r"dose-response|cumulative|trial sequential|pairwise|updated) $"),
    Rule("meta-analysis", "names", ("pooled",), r"pooled analys[ie]s\b",
         "pooled analysis (of several studies)"),
    Rule("meta-analysis", "states", ("searched", "search", "searches"),
         r"search(?:ed|es of|es in|es were (?:conducted|performed|run) in)\b[^.;]{0,120}?(?:pubmed|medline|embase|"
         r"cochrane|web of science|scopus|cinahl|psycinfo|google scholar|cnki|wanfang|lilacs|electronic databases|"
         r"bibliographic databases)",
         "we searched PubMed, MEDLINE, Embase... (a literature search)",
         extend=r"(?:we |were |was )?(?:systematically |comprehensively |electronically )?$"),
    Rule("meta-analysis", "states", ("searched",),
         r"(?:pubmed|medline|embase|cochrane library|web of science|scopus|cinahl|psycinfo)[^.;]{0,120}?"
         r"(?:were|was) (?:systematically |comprehensively )?searched\b",
         "PubMed, MEDLINE, Embase... were searched"),
    Rule("meta-analysis", "states", ("prisma",), r"prisma\b(?![- ](?:score|7))",
         "PRISMA (the reporting guideline of systematic reviews)"),
    Rule("meta-analysis", "states", ("effects", "effect"),
         r"(?:random|fixed)[- ]effects? (?:meta-?analys[ie]s|model)",
         "random-effects or fixed-effect model (pooling studies)"),
    Rule("meta-analysis", "states", ("included", "selected", "eligible", "pooled"),
         r"(?:studies|trials|articles|publications|papers|rcts|reports)\b[^.;]{0,40}?(?:were|was|met|are) "
         r"(?:finally |ultimately )?(?:included|selected|eligible|pooled)\b",
         "N studies/trials were included (in a review)",
         before=_NUMBER + r" (?:eligible |relevant |original |primary |randomi[sz]ed |controlled |clinical |"
                          r"observational |published |full-text |cohort )*$",
         also=("studies", "trials", "articles", "publications", "papers", "rcts", "reports")),

    # Randomised trials.
    Rule("rct", "names", _RANDOM_WORDS,
         r"random(?:i[sz]ed|ly[- ]allocated|ly[- ]assigned)" + _TRIAL_MODIFIERS +
         r" (?:trials?|stud(?:y|ies)|rcts?|experiments?|design|evaluation|comparison)\b",
         "randomised (double-blind, placebo-controlled...) trial or study",
         extend=r"(?:(?:double|single|triple)[- ]blind(?:ed)?|prospective|multi-?cent(?:er|re)|open[- ]label|"
                r"pragmatic|cluster|pilot|" + _PHASE + r")(?:,? (?:(?:double|single|triple)[- ]blind(?:ed)?|"
                r"prospective|multi-?cent(?:er|re)|open[- ]label|pragmatic|cluster|pilot|" + _PHASE + r"))*,? $"),
    Rule("rct", "names", _RANDOM_WORDS,
         r"randomi[sz]ed control(?:led)?(?: clinical)?(?: trials?| stud(?:y|ies)| rcts?)?\b|rcts?\b(?! reporting| evidence| "
         r"literature| methodology)",
         "randomised controlled (trial), RCT"),
    Rule("rct", "states", ("randomly",),
         r"randomly (?:assigned|allocated|divided)\b",
         "randomly assigned / allocated (people, not animals)"),
    Rule("rct", "states", ("randomised", "randomized"),
         r"randomi[sz]ed (?:\(\d:\d\) |in a \d:\d ratio |\d:\d |equally |centrally )?(?:to|into|between)\b",
         "were randomised to (people, not animals)"),
    Rule("rct", "states", ("randomisation", "randomization", "randomised", "randomized", "randomly"),
         r"randomi[sz]ation (?:was|were|is) (?:performed|done|stratified|conducted|carried out|computer-generated)|"
         r"random(?:i[sz]ed|ly (?:assigned|allocated)) (?:in|at) an? \d:\d\b",
         "randomisation was performed / stratified, randomised 1:1"),
    Rule("rct", "states", ("randomisation", "randomization"),
         r"randomi[sz]ation\b",
         "block / stratified / computer-generated randomisation",
         before=r"(?:block|stratified|computer[- ]generated|central|web[- ]based|permuted[- ]block|envelope) $"),
    Rule("rct", "names", ("randomised", "randomized"),
         r"randomi[sz]ed (?:patients|participants|subjects|women|men|children|adults|infants)\b",
         "randomised patients / participants", extend=r"cluster[- ]$"),

    # Other clinical trials.
    Rule("clinical-trial", "names", ("trial", "trials"),
         r"trials?\b",
         "single-arm, open-label, phase I-IV, non-randomised or controlled clinical trial",
         before=_NONRANDOM_TRIAL + r"(?:,? " + _NONRANDOM_TRIAL + r")*,? $"),
    Rule("clinical-trial", "names", ("quasi", "before", "pre", "prepost"),
         r"(?:quasi[- ]experimental|quasi[- ]randomi[sz]ed|before[- ]and[- ]after|pre-?post|pre-? and post-?"
         r"(?:test|intervention)) (?:controlled )?(?:study|design|trial|intervention)\b",
         "quasi-experimental or before-and-after intervention study"),
    Rule("clinical-trial", "names", ("phase",), _PHASE + r" (?:\w+[- ])?(?:study|extension)\b",
         "phase I-IV study"),
    Rule("clinical-trial", "names", ("arm", "label", "escalation", "human"),
         r"(?:arm|label|escalation|human) (?:\w+[- ])?(?:study|extension)\b",
         "single-arm, open-label, dose-escalation or first-in-human study",
         before=r"(?:single|one|open|dose|first[- ]in)[- ]$"),

    # Observational studies.
    Rule("observational", "names", ("cohort",), r"cohort (?:study|analysis|design)\b",
         "cohort study (retrospective, prospective, population-based...)", extend=_COHORT_MODIFIERS + "$"),
    Rule("observational", "names", ("control", "crossover"),
         r"case[- ](?:control|cohort|crossover)(?: study| design| analysis)?\b",
         "case-control or case-crossover study", extend=r"(?:nested|matched|population[- ]based) $"),
    Rule("observational", "names", ("sectional",),
         r"cross[- ]sectional(?:,? (?:observational|analytical|descriptive|population[- ]based|multi-?cent(?:er|re)|"
         r"online|web[- ]based|questionnaire[- ]based|survey|national|comparative|cohort|correlational))* "
         r"(?:study|survey|analysis|design|investigation)\b",
         "cross-sectional study or survey", extend=_COHORT_MODIFIERS + "$"),
    Rule("observational", "names", ("observational",),
         r"observational(?:,? (?:retrospective|prospective|multi-?cent(?:er|re)|cohort|descriptive|analytic(?:al)?|"
         r"comparative|longitudinal|cross-sectional))* (?:study|analysis|design|research|cohort)\b",
         "observational study", extend=_COHORT_MODIFIERS + "$"),
    Rule("observational", "names", ("retrospective", "prospective", "ambispective"),
         r"(?:retrospective|prospective|ambispective)(?:,? (?:multi-?cent(?:er|re)|single[- ]cent(?:er|re)|"
         r"descriptive|comparative|observational|analytic(?:al)?|longitudinal|cohort|chart|record|database|"
         r"registry|population[- ]based|nation-?wide|cross-sectional|consecutive|follow-up|case[- ]series|"
         r"propensity[- ]score[- ]matched|matched|controlled))* (?:study|analysis|review|design|audit|evaluation|"
         r"investigation|survey|series|comparison)\b",
         "retrospective or prospective study, chart review", extend=_COHORT_MODIFIERS + "$"),
    Rule("observational", "states", ("retrospectively",),
         r"retrospectively (?:reviewed|analy[sz]ed|evaluated|collected|identified|enrolled|included|assessed|"
         r"examined|investigated|studied|recruited|obtained|retrieved)\b",
         "retrospectively reviewed / analysed"),
    Rule("observational", "states", ("prospectively",),
         r"prospectively (?:enrolled|recruited|followed|collected|included|studied|evaluated|registered|assessed|"
         r"observed)\b",
         "prospectively enrolled / followed"),
    Rule("observational", "names", ("based",),
         r"based (?:cohort |case-control |cross-sectional |observational |retrospective |prospective |"
         r"longitudinal )?(?:study|survey|analysis)\b",
         "population-based, registry-based, database study",
         before=r"(?:population|register|registry|claims|database|community|hospital|questionnaire|survey|web|"
                r"internet)[- ]$"),
    Rule("observational", "names", ("nationwide", "nation", "ecological", "epidemiological", "correlational"),
         r"(?:nation-?wide|ecological|epidemiological|correlational) (?:cohort |case-control |cross-sectional |"
         r"observational |retrospective |prospective |longitudinal )?(?:study|survey|analysis)\b",
         "nationwide, ecological or epidemiological study"),
    Rule("observational", "states", ("survey", "questionnaire"),
         r"(?:survey|questionnaire)(?: study)? (?:was|were) (?:conducted|administered|distributed|sent|performed|"
         r"carried out|completed|developed and distributed)",
         "a survey / questionnaire was conducted",
         before=r"(?:an?|our|this) (?:anonymous |national |nation-?wide |online |web[- ]based |electronic |"
                r"structured |self-administered |cross-sectional |multi-?cent(?:er|re) |international |postal |"
                r"telephone |questionnaire[- ]based |descriptive )*$"),
    Rule("observational", "names", ("mendelian",), r"mendelian randomi[sz]ation\b",
         "Mendelian randomisation (a genetic observational design)"),
    Rule("observational", "names", ("registry", "register", "records", "database", "charts", "claims"),
         r"(?:collected|retrieved|extracted|obtained|identified) from (?:the |a |an )?(?:\w+ ){0,4}?(?:registry|"
         r"register|database|medical records|health records|charts|claims)\b",
         "data were collected from a registry / medical records"),
    Rule("observational", "names", ("records", "charts", "registry", "database"),
         r"(?:review|analysis|audit) of (?:the )?(?:electronic |medical |hospital |health |clinical |patient |case )?"
         r"(?:charts|records|notes|registry data|database)\b",
         "review of medical records"),
    Rule("observational", "names", ("cohort",), r"cohort of " + _NUMBER + r" ",
         "a cohort of N people"),
    Rule("observational", "title", ("cohort", "cohorts", "registry", "register", "nationwide", "population",
                                    "longitudinal", "follow"),
         r"(?:cohorts?|registry|register-based|nation-?wide|population-based|longitudinal study|follow-up study)\b",
         "Title: cohort, registry, nationwide, population-based"),

    # Case reports and case series.
    Rule("case-report", "names", ("case", "cases"),
         r"cases? (?:report|presentation|description|summary)\b(?! form)",
         "case report, case presentation (also as a section label)"),
    Rule("case-report", "states", ("reports",), r"case reports\b",
         "two case reports (of this paper's own patients)",
         before=r"(?:two|three|four|five|six|\d) $"),
    Rule("case-report", "title", ("study",), r"a case study\b|case study:",
         "Title: 'a case study' (of a patient)"),
    Rule("case-report", "names", ("series",), r"case series\b|series of (?:\w+ )?cases\b", "case series"),
    Rule("case-report", "names", ("report",),
         r"report of (?:an?|the|one|two|three|four|five|six|\d) (?:[\w-]+ ){0,3}?cases?\b",
         "report of a case / of two cases"),
    Rule("case-report", "names", ("patient",), r"(?:our|this) patient\b(?!s| population| group| cohort| sample)",
         "our patient / this patient (one patient)"),
    Rule("case-report", "names", ("case", "cases"),
         r"cases? (?:of|with|in|presenting|from|where|who|that)\b",
         "a case of..., two cases of... (a case report)",
         before=r"(?:an?|one|two|three|four|five|first|second|third) (?:(?!special|particular|general|specific|"
                r"worst|best|extreme|such|limiting|borderline|few|half|focus|the|of|on|in|all|some|many|most)"
                r"[\w-]+ ){0,2}$"),
    Rule("case-report", "states", ("report", "present", "describe", "discuss", "detail", "highlight", "reported",
                                   "presented", "described", "reports", "presents", "describes"),
         r"(?:we|authors?|this paper|this article|this report) (?:\w+ )?"
         r"(?:report(?:ed|s)?|present(?:ed|s)?|describ(?:e|ed|es)|discuss(?:ed|es)?|detail(?:ed|s)?|highlight(?:ed|s)?) "
         r"(?:here |herein )?(?:on )?(?:the |an? |two |"
         r"three |four |five |our |one |several )?(?:[\w-]+ ){0,8}?(?:case|cases|patient(?![- ](?:selection|care|"
         r"outcomes?|safety|populations?|data|reported|cent(?:er|re)d|education|management|experiences?|"
         r"preferences?))|\d+[- ](?:year|month|week|"
         r"day)s?[- ]old|" + _CASE_PEOPLE + r"|family|siblings|twins|brothers|sisters|(?:two|three|four|five|six|"
         r"seven|eight|nine|[2-9]) (?:[\w-]+ ){0,2}?(?:patients|children|women|men|infants|adults))\b",
         "we report / present / describe a case or a patient", also=("we", "author", "authors", "this")),
    Rule("case-report", "states", ("old",),
         r"(?:year|month|week|day)s?[- ]old (?:\w+ ){0,2}?(?:" + _CASE_PEOPLE + r")\b",
         "a 45-year-old woman (one patient)",
         before=r"(?:an?|our|the|this) (?:[a-z]+ ){0,2}(?:\d+|[a-z]+(?:-[a-z]+)?)[- ]$"),
    Rule("case-report", "states", ("patient", "man", "woman", "boy", "girl", "child", "infant", "neonate",
                                   "newborn", "male", "female", "gentleman", "lady"),
         r"an? (?:[\w-]+ ){0,3}?(?:" + _CASE_PEOPLE + r") (?:with|who|was|presented|developed|underwent|had|came|"
         r"attended|complained|suffering|experienced|received)\b",
         "A patient with... was admitted (a sentence about one patient)",
         before=r"(?:^|[.!?:]\s+|\n)$"),
    Rule("case-report", "states", ("presented", "described", "reported", "performed", "discussed"),
         r"cases? (?:is |was |are |were )?(?:presented|described|reported|performed|discussed)\b",
         "this case is presented / two cases are described"),
    Rule("case-report", "states", ("case",),
         r"case\b(?!s|-| of| with| control| fatality| definition| mix| management| for)",
         "this case / in our case", before=r"(?:in |from )?(?:this|our|the present) $"),
    Rule("case-report", "states", ("presented", "described", "reported"),
         r"(?:patients|cases|children)\b[^.;]{0,120}?(?:are|were) (?:presented|described|reported) ?(?:here(?:in)?)?\.",
         "Three patients with X ... are presented.",
         before=r"(?:^|[.!?:]\s+|\n)(?:two|three|four|five|six|seven|eight|nine|[2-9]) $"),
    Rule("case-report", "title", ("in", "of"),
         r"(?:in|of) an? (?:[\w-]+ ){0,4}?(?:" + _CASE_PEOPLE + r"|athlete|family|kindred|twins?)\b",
         "Title: '... in a patient / in a child / in a young woman'"),
    Rule("case-report", "title", ("case", "presentation"),
         r"(?:rare|unusual|atypical|uncommon|interesting|challenging|unique|exceptional|curious|difficult) "
         r"(?:case|presentation)\b",
         "Title: 'a rare case / an unusual presentation'"),

    # Narrative reviews.
    Rule("review", "names", ("review",), r"review\b",
         "narrative, literature, critical, scoping or mini review", before=_REVIEW_KINDS),
    Rule("review", "names", ("review",),
         r"review of (?:the )?(?:current |recent |existing |published |available |relevant |english )*"
         r"(?:literature|evidence|knowledge|concepts|advances|developments|research|data|findings|progress|"
         r"management|treatment|options|strategies|mechanisms)\b",
         "review of the literature / current evidence"),
    Rule("review", "states", ("review", "overview", "article", "paper", "chapter", "primer", "update"),
         r"(?:this|our|the present|the current) (?:\w+ )?(?:review|overview|article|paper|chapter|primer|update)\b"
         r"[^.;]{0,20}?(?:summari[sz]es|summari[sz]ed|"
         r"discusses|describes|highlights|focuses|provides|reviews|outlines|aims|explores|addresses|presents|"
         r"covers|examines|gives|considers|synthesi[sz]es|will)\b",
         "this review summarises / discusses...", also=("this", "our", "present", "current")),
    Rule("review", "states", ("review", "overview", "chapter", "primer", "update"),
         r"in this (?:\w+ )?(?:review|overview|chapter|primer|update)\b",
         "in this review / overview"),
    Rule("review", "states", ("here", "herein"),
         r"here(?:in)?,? we (?:\w+ )?(?:review|summari[sz]e|discuss|highlight|provide an? (?:\w+ )?(?:overview|"
         r"summary|update)|outline|describe recent)\b",
         "here we review / summarise / discuss"),
    Rule("review", "states", ("we",),
         r"we (?:\w+ )?(?:review|summari[sz]e|overview) (?:the |recent |current |existing |published |what|how |"
         r"key |our )",
         "we review / summarise the..."),
    Rule("review", "states", ("reviewed", "summarized", "summarised"),
         r"(?:reviewed|summari[sz]ed)\b",
         "... are reviewed / summarised",
         before=r"(?:are|is) (?:also |briefly |critically |then )?$"),
    Rule("review", "names", ("discussed",), r"discussed\b",
         "... is discussed (counts only inside the text: 'implications are discussed' ends research papers)",
         before=r"(?:are|is) (?:also |briefly |critically |then )?$"),
    Rule("review", "title",
         ("review", "overview", "update", "primer", "state", "current", "recent", "advances", "progress",
          "introduction", "know", "emerging"),
         r"(?:review|overview|update|primer|state of the art|current (?:concepts|perspectives|status|state|"
         r"understanding|knowledge|evidence|trends|insights|challenges|management|treatment)|recent (?:advances|"
         r"developments|progress|insights|updates)|advances in|progress in|an introduction to|what (?:we|clinicians|"
         r"physicians|you) (?:need|should) (?:to )?know|emerging (?:roles?|concepts|therapies))\b",
         "Title: 'a review', 'an update', 'current concepts', 'recent advances'"),
    Rule("review", "names", ("review", "findings", "covered"),
         r"(?:purpose of review|recent findings|areas covered)\b",
         "sections 'Purpose of review', 'Recent findings', 'Areas covered' (review journals)",
         also=("purpose", "recent", "areas")),

    # Guidelines and consensus statements.
    Rule("guideline", "title", ("guideline", "guidelines", "recommendations", "consensus", "position",
                                "statement", "standards", "standard", "delphi"),
         r"(?:(?:clinical )?(?:practice )?guidelines?|recommendations|consensus|position (?:statement|paper|stand)|"
         r"expert (?:statement|panel)|standards? of (?:care|practice)|best practice statement|delphi)\b",
         "Title: guideline, recommendations, consensus, position statement"),
    Rule("guideline", "states", ("guideline", "guidelines", "recommendations", "consensus", "position"),
         r"(?:guidelines?|recommendations|consensus (?:statement|document|paper)|position (?:statement|paper))\b",
         "this guideline / these recommendations / this consensus statement",
         before=r"(?:this|these|the present|our|the following) (?:\w+ )?$"),
    Rule("guideline", "states", ("recommendations", "guideline", "guidelines", "statement", "statements"),
         r"(?:recommendations|guidelines?|statements?) (?:were|was) (?:developed|formulated|drafted|made|produced|"
         r"issued|agreed|generated|proposed)",
         "recommendations / guidelines were developed"),
    Rule("guideline", "states", ("consensus", "delphi"),
         r"consensus was (?:reached|achieved|obtained)|reached (?:a )?consensus|delphi (?:method|process|technique|"
         r"survey|consensus|study|panel|rounds?)\b",
         "consensus was reached; a Delphi process"),

    # Opinion: editorials, comments, letters.
    Rule("opinion", "title", ("editorial", "commentary", "viewpoint", "call", "letter"),
         r"(?:a commentary|an editorial|a viewpoint|a call (?:to|for) action|letter to the editor)\b",
         "Title: 'a commentary', 'an editorial', 'a call to action'"),
    Rule("opinion", "states", ("editorial", "commentary", "letter", "viewpoint", "perspective", "opinion",
                               "essay", "correspondence"),
         r"(?:editorial|commentary|letter|viewpoint|opinion piece|correspondence|essay)\b",
         "in this editorial / commentary / letter",
         before=r"(?:in )?(?:this|our) $"),
    Rule("opinion", "states", ("perspective",), r"perspective\b", "in this perspective (not 'from our perspective')",
         before=r"(?:in )?this $"),
    Rule("opinion", "states", ("we",), r"we (?:comment|respond|reply|argue|contend)\b",
         "we comment / respond / argue"),

    # Protocols: a study not yet done. Graded "other" (see _design).
    Rule("protocol", "title", ("protocol",),
         r"(?:study|trial|review|research) protocol\b|protocol (?:for|of) (?:an? |the )?(?:[\w-]+[ ,]+){0,8}?"
         r"(?:trial|study|review|meta-?analysis|rct)\b",
         "Title: study protocol (for a trial or review not yet done)"),
    Rule("protocol", "states", ("protocol",),
         r"protocol (?:describes|outlines|will|is designed|aims|presents|reports)|(?:describe|present|report|outline) "
         r"(?:the|a|our) (?:\w+ )?protocol\b",
         "this protocol describes / we present the protocol",
         before=r"(?:(?:this|the present|our) (?:study |trial |review )?|we (?:\w+ )?)$"),
    Rule("protocol", "states", ("will", "dissemination"),
         r"will be (?:randomi[sz]ed|randomly (?:assigned|allocated)|recruited|enrolled|searched|included|screened|"
         r"allocated)\b|this (?:study|trial|review) will\b|ethics and dissemination\b",
         "will be randomised / recruited / searched (future tense: a protocol)"),
]

SUBJECT_RULES = [
    # People.
    Rule("humans", "title", (),
         r"{words}\b(?![- ](?:derived|specific))", "Title names patients, women, children...",
         words=("patient", "patients", "women", "woman", "men", "man", "children", "child", "adults",
                "adolescents", "infants", "infant", "neonates", "people", "persons", "individuals",
                "survivors", "humans", "human subjects", "pregnancy", "pregnant", "year-old", "years-old",
                "boy", "girl", "healthcare workers", "nurses", "students")),
    Rule("humans", "strong", (), r"{words}\b",
         "N patients / participants / women... (people counted)", words=_PEOPLE,
         before=r"(?:" + _NUMBER + r"|consecutive|eligible|adult|pediatric|paediatric|healthy|hospitali[sz]ed|"
                r"critically ill|pregnant|elderly|older|young|male|female)[ -](?:[\w-]+[ -]){0,3}$"),
    Rule("humans", "strong", (), r"{words} \((?:n ?= ?)?\d",
         "patients (n = 50)", words=_PEOPLE),
    Rule("humans", "names", (), r"{words}\b(?![- ](?:derived|specific))",
         "patients, participants, volunteers, children, adults...", words=_PEOPLE_NAMED),
    Rule("humans", "states", ("old",),
         r"(?:year|month|week|day)s?[- ]old (?:\w+ ){0,2}?(?:" + _CASE_PEOPLE + r")\b",
         "a 45-year-old woman (the patient of a case report)", before=r"(?:\d+|[a-z]+(?:-[a-z]+)?)[- ]$"),
    Rule("humans", "strong", ("aged", "age"),
         r"age[ds]? (?:range |between |from |of |was |were )?(?:\w+ ){0,2}?\d+(?:\.\d+)?(?:\s?(?:±|\+/-|-|–|to)\s?"
         r"\d+(?:\.\d+)?)? ?(?:years|yrs|y\b)",
         "aged N years, mean age N years", extend=r"(?:mean|median|average) $"),
    Rule("humans", "strong", ("age",), r"years of age\b", "N years of age"),
    Rule("humans", "strong", ("consent",), r"informed consent\b", "informed consent"),
    Rule("humans", "strong", ("interviews", "interview"), r"interviews?\b", "semi-structured / in-depth interviews",
         before=r"(?:semi-?structured|in-depth|qualitative|structured|telephone|face-to-face) $"),
    Rule("humans", "strong", ("interviewed", "focus"), r"interviewed\b|focus groups?\b",
         "were interviewed, focus groups"),
    Rule("humans", "strong", ("questionnaire", "questionnaires"),
         r"questionnaires? (?:was|were) (?:completed|administered|distributed)", "questionnaires were completed"),
    Rule("humans", "strong", ("survey",), r"survey\b", "an online / national survey (of people)",
         before=r"(?:online|web-based|national|nationwide|cross-sectional|telephone|postal|questionnaire) $"),
    Rule("humans", "context", (),
         r"{words}\b", "clinical setting (hospital, clinicians, health care): people, when nothing else is named",
         words=("clinical", "clinically", "clinic", "clinicians", "hospital", "hospitals", "surgeons",
                "physicians", "health care", "healthcare", "public health", "primary care", "emergency department",
                "intensive care unit", "outpatient clinic", "nursing home", "nursing homes", "pregnancy",
                "fetal", "fetus", "obstetric", "human", "oncology practice", "medical practice", "surgery",
                "surgical", "pandemic", "covid-19")),

    # Animals.
    Rule("animals", "names", (), r"{words}\b" + _NOT_REAGENT,
         "mice, rats, rabbits, pigs, dogs, sheep, zebrafish... (not reagents such as 'mouse anti-')",
         words=_ANIMALS),
    Rule("animals", "names", ("sprague", "wistar", "c57bl", "c57", "balb", "nod", "nude", "knockout", "knock",
                              "transgenic", "db", "ob", "apoe", "ldlr", "mdx"),
         r"(?:sprague[- ]dawley|wistar|c57bl/\d\w*|c57|balb/c|nod/scid|nude mice|knock-?out|transgenic|knock-?in|"
         r"db/db|ob/ob|apoe-?/-|ldlr-?/-|mdx)\b(?: mice| rats| mouse| rat)?",
         "laboratory strains: Sprague-Dawley, Wistar, C57BL/6, BALB/c, knockout, transgenic"),
    Rule("animals", "names", ("animal", "rodent", "murine", "mouse", "rat", "porcine", "canine", "feline", "ovine",
                              "bovine", "equine", "large", "zebrafish", "primate", "vivo"),
         r"(?:models?|experiments?|stud(?:y|ies)|subjects|species)\b",
         "animal model, animal experiments",
         before=r"(?:animal|rodent|murine|mouse|rat|porcine|canine|feline|ovine|bovine|equine|large[- ]animal|"
                r"zebrafish|primate|in vivo) $"),
    Rule("animals", "names", ("animals", "xenograft", "xenografts", "veterinary"),
         r"(?:animals|xenografts?|veterinary)\b", "animals, xenografts, veterinary"),
    Rule("animals", "names", ("vivo",), r"in vivo\b",
         "in vivo (counts only beside cells, when no species is named)"),

    # Cells only.
    Rule("in-vitro", "names", (), r"{words}\b",
         "in vitro, cell lines, cultured cells, organoids", words=_IN_VITRO),
    Rule("in-vitro", "names", _CELL_LINE_NEEDS, _CELL_LINES,
         "named cell lines (HeLa, HEK293, MCF-7, A549...)"),
]

# ---------------------------------------------------------------------------
# Context: where a phrase stands and whether it describes this study.

# Section labels, by the kind of text under them. Checked in this order.
_SECTION_KINDS = [
    ("case", re.compile(r"\bcase|patient concern|diagnos[ie]s|interventions? and outcome|clinical (?:presentation|findings)")),
    ("methods", re.compile(r"method|design|setting|participant|patients|subjects|material|sources|selection|"
                           r"eligibility|extraction|search|intervention|measure|exposure|level of evidence|"
                           r"type of study|animals|experiment|population|procedure")),
    ("results", re.compile(r"result|finding|outcome")),
    ("conclusions", re.compile(r"conclu|interpretation|implication|discussion|significance|relevance|lesson|"
                               r"message|impact|summary|perspective|limitation|future|statement|opinion")),
    ("aim", re.compile(r"objective|aim|purpose|goal|question|hypothes|motivation")),
    ("background", re.compile(r"background|backgroud|introduction|context|rationale|importance")),
]
# How much a phrase counts, by where it stands. People counted in Results are the
# study's subjects; a design named in Results is more often someone else's.
_DESIGN_WEIGHT = {
    "title": 3.0, "case": 3.0, "methods": 3.0, "aim": 2.0, "body": 2.0, "results": 1.5,
    "first": 1.0, "last": 1.0, "conclusions": 1.0, "background": 0.5, "other": 1.0,
}
_SUBJECT_WEIGHT = dict(_DESIGN_WEIGHT, results=3.0)
_CUE_FACTOR = {"names": 1.0, "states": 2.0, "title": 1.0, "strong": 1.0, "context": 1.0}
ENOUGH = 2.0  # a design or subjects needs at least this weight

_LABEL = re.compile(r"([A-Za-z][A-Za-z ,&/'()-]{1,60}):\s+")
# Labels run into the text of an unlabelled abstract: "Background: ... Methods: ...".
# (No look-behind and no "^|" at the start: either makes re try every position. The
# ". " before a label is matched instead, and a paragraph's first label is tried apart.)
_LABEL_TEXT = r"([A-Z][A-Za-z]+(?:[ /&,]+[A-Za-z]+){0,4})(?=[:.]\s[A-Z0-9(])"
_FIRST_LABEL = re.compile(_LABEL_TEXT)
_INLINE_LABEL = re.compile(r"[.!?)] " + _LABEL_TEXT)
_LABEL_WORDS = set(
    "background backgrounds introduction methods method methodology materials material and results result "
    "conclusion conclusions objective objectives purpose aim aims design setting settings participants "
    "patients patient concerns discussion significance rationale level of evidence case cases presentation "
    "report description study findings interpretation context importance relevance measurements main "
    "outcome outcomes measures exposure exposures trial registration clinical summary subjects "
    "interventions intervention limitations key points what is known new the statement observations "
    "diagnosis diagnoses lessons data sources selection extraction synthesis review hypothesis "
    "experimental approach implications funding".split())
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9(\[])")
_WORD_CHAR = re.compile(r"[a-z0-9]")
# Bytes that are letters or digits stay, all else becomes a space: splitting then gives the words.
_WORD_BYTES = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256)).lower()

# Mentions. A phrase preceded (within its sentence) by one of these is not about
# this study: negated ("no randomised trials"), wished for ("future trials"),
# or about other work ("previous cohort studies", "data from a trial").
_NEGATION = (r"no|not|nor|without|lack|lacking|absence|absent|few|none|neither|unlike|rather than|instead of|"
             r"non|quasi|pseudo|mendelian")
_WISH = (r"future|further|additional|larger|more|well[- ]designed|well[- ]conducted|high[- ]quality|"
         r"adequately[- ]powered|large[- ]scale|definitive|need|needs|needed|should|could|would|may|might|will|"
         r"warrant|ongoing|planned|proposed|hypothetical|emulat\w*|mimic\w*|target")
_OTHER_WORK = (r"previous|previously|prior|published|recent|earlier|existing|other|several|many|numerous|some|"
               r"most|all|multiple|various|identified|eligible|unpublished|landmark|pivotal|seminal")
# These point elsewhere only right before the phrase: "a review of trials", "data from a trial".
_OTHER_WORK_ADJACENT = (r"of|from|including|included|includes|than|versus|vs|like|such as|e\.g|regarding|about|"
                        r"whether|if|in contrast to|compared with|compared to|following|according to|adherence to|"
                        r"compliance with|implementation of|based on|in line with")
_AWAY_BEFORE = re.compile(rf"\b(?:(?:{_NEGATION}|{_WISH}|{_OTHER_WORK})\W+(?:[\w-]+\W+){{0,2}}|"
                          rf"(?:{_OTHER_WORK_ADJACENT})\W+(?:(?:an?|the|these|those|two|three)\W+)?)$")
_DENIED_BEFORE = re.compile(rf"\b(?:{_NEGATION}|{_WISH})\W+(?:[\w-]+\W+){{0,2}}$")
# ... and so is one followed by these.
_AWAY_AFTER = re.compile(
    r"\W+(?:[\w-]+\W+){0,4}?(?:(?:is|are|were|was|be|been|remain|remains)\s+(?:still\s+|urgently\s+|also\s+)?"
    r"(?:needed|warranted|required|necessary|lacking|scarce|limited|sparse|missing|awaited|few|rare|underway|"
    r"ongoing|planned|inconclusive|conflicting|controversial)|should|would|could|(?:has|have|had)\s+(?:\w+\s+)?"
    r"(?:shown|demonstrated|reported|suggested|found|indicated|revealed|confirmed|established|evaluated|"
    r"investigated|examined|described)|showed|suggested|demonstrated|reported|found|indicated|revealed|"
    r"concluded)\b|\W+published (?:in|by|on)\b"
)
# Words that tie a phrase to this very study: "this trial", "we conducted a", "as part of a".
_SELF_BEFORE = re.compile(
    r"\b(?:this|our|the present|the current|we|here|herein|was an?|is an?|"
    r"conducted an?|performed an?|undertook an?|carried out an?|using an?|through an?|within (?:the context "
    r"of )?an?|as part of an?|nested (?:with)?in an?|(?:secondary|post[- ]hoc|ancillary|exploratory|subgroup|"
    r"pre-?specified|planned|follow-up|long-term|extended) (?:analys[ie]s|follow-up|study|report) (?:of|from) "
    r"(?:an?|the|data from an?)|(?:results|data|findings|outcomes|lessons|report) from (?:an?|the)|"
    r"(?:preliminary|final|interim|primary|main|long-term|\d+-year) (?:results|outcomes|findings) (?:of|from) "
    r"(?:an?|the|data from an?)|sub-?study of an?|extension of an?)\W+(?:[\w-]+\W+){0,3}$"
)
# A plural design noun names other studies: a study is one trial, one cohort.
_PLURAL_DESIGN = re.compile(r"(?:trials|studies|rcts|reviews|analyses|reports|experiments)$")
_WINDOW = 80  # characters looked at before a design phrase for a mention
_CONTEXT = 40  # characters looked at before a match for its required or shown words

# A design the title states may be narrowed by the abstract to one of these.
_NARROWS = {
    "review": {"meta-analysis"},
    "clinical-trial": {"rct"},
    "observational": {"rct", "clinical-trial"},
}


# ---------------------------------------------------------------------------
# Compiled once.


class _Compiled(NamedTuple):
    rule: Rule
    regex: tuple            # the pattern's alternatives, compiled apart (empty for a vocabulary)
    before: re.Pattern
    extend: re.Pattern
    needs: frozenset
    also: frozenset
    words: dict             # longest word of each vocabulary phrase -> phrases
    firsts: frozenset       # those words


def _compile(rules):
    compiled = []
    for rule in rules:
        # Well-formed rules (a known cue, words to gate on) are checked by tests/test_text_grading.py.
        words = {}
        for phrase in rule.words:
            # Keyed by its longest word, the last of equals: "in vitro" runs only where "vitro"
            # occurs (not "in"), "cell line" where "line" does (not the commoner "cell").
            parts = re.findall(r"[a-z0-9]+", phrase)
            key = max(reversed(parts), key=len)
            words.setdefault(key, []).append(phrase)
        compiled.append(_Compiled(
            rule,
            () if rule.words else tuple(re.compile(p) for p in _alternatives(rule.pattern)),
            re.compile(rf"(?:{rule.before})$") if rule.before else None,
            re.compile(rf"(?:{rule.extend})$") if rule.extend else None,
            frozenset(rule.needs) | frozenset(words),
            frozenset(rule.also),
            words,
            frozenset(words),
        ))
    return compiled


def _alternatives(pattern):
    """"(?:a|b|c)d|e" as ["ad", "bd", "cd", "e"]: one regex per alternative, each starting with a
    literal. Python's re tries every position of the text for a pattern that starts with a
    choice (3 to 10 times slower than for a literal start), and most rules start with one."""
    expanded = []
    for alternative in _split_top(pattern):
        group_end = _group_end(alternative) if alternative.startswith("(?:") else -1
        rest = alternative[group_end + 1:] if group_end > 0 else ""
        if group_end > 0 and rest.startswith("?") and not rest.startswith("??") and rest[1:]:
            # "(?:clinical )?guideline" as "clinical guideline" and "guideline".
            expanded.extend(_alternatives(alternative[:group_end + 1] + rest[1:]) + _alternatives(rest[1:]))
            continue
        if group_end > 0 and not rest[:1] in ("?", "*", "+", "{"):
            inner = _split_top(alternative[3:group_end])
            if len(inner) > 1:
                expanded.extend(_alternatives("|".join(part + rest for part in inner)) if len(inner) < 100
                                else [alternative])
                continue
        expanded.append(alternative)
    return expanded


def _split_top(pattern):
    """The top-level alternatives of a pattern ("|" outside groups and classes)."""
    parts, start = [], 0
    for position, char, depth in _syntax(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[start:position])
            start = position + 1
    parts.append(pattern[start:])
    return parts


def _group_end(pattern):
    """Where the group opening at the start of ``pattern`` closes."""
    for position, char, depth in _syntax(pattern):
        if char == ")" and depth == 1:
            return position
    return -1


def _syntax(pattern):
    """(position, character, group depth before it) for each character of a pattern
    that is neither escaped nor inside a character class."""
    depth, escaped, in_class = 0, False, False
    for position, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        else:
            yield position, char, depth
            depth += {"(": 1, ")": -1}.get(char, 0)


@lru_cache(maxsize=None)
def _vocabulary_regex(pattern, phrase):
    # One pattern per phrase (a bounded number, compiled once), not per set of phrases
    # found: those sets are too many to cache, and compiling costs more than matching.
    return re.compile(pattern.replace("{words}", re.escape(phrase)))


class _RuleSet(NamedTuple):
    compiled: list
    by_word: dict           # a needed word -> the numbers of the rules that need it
    words: frozenset        # every needed word


def _rule_set(rules):
    """Compiled rules, indexed by the words they need: one set intersection per document
    finds the rules worth running, instead of a test per rule."""
    compiled = _compile(rules)
    by_word = {}
    for number, rule in enumerate(compiled):
        for word in rule.needs:
            by_word.setdefault(word, []).append(number)
    return _RuleSet(compiled, by_word, frozenset(by_word))


_DESIGN = _rule_set(DESIGN_RULES)
_SUBJECT = _rule_set(SUBJECT_RULES)


# ---------------------------------------------------------------------------
# Grading.


def grade_text(title, abstract, *, design=True):
    """{"study_design", "design_words", "subjects", "subjects_words"} from a title and abstract.

    ``abstract`` is plain text; sections as litref stores them ("METHODS: ..."
    paragraphs separated by blank lines) are recognised by their labels, and
    so are labels run into the text ("Background: ... Methods: ...").
    ``design=False`` reads the subjects alone (design "other"): PubMed's
    indexing named the design, and the design rules are most of the work.
    """
    document = _Document(title or "", abstract or "")
    subjects, subjects_words = _subjects(document.votes(_SUBJECT, _SUBJECT_WEIGHT, design=False))
    if not design:
        return {"study_design": "other", "design_words": None,
                "subjects": subjects, "subjects_words": subjects_words}
    design, design_words = _design(document.votes(_DESIGN, _DESIGN_WEIGHT, design=True), subjects)
    return {
        "study_design": design, "design_words": design_words,
        "subjects": subjects, "subjects_words": subjects_words,
    }


class Vote(NamedTuple):
    code: str
    cue: str
    weight: float
    words: str
    where: str


class _Document:
    """The title and abstract as one lower-cased string, where each part stands, and its words."""

    def __init__(self, title, abstract):
        self.text = ""
        self.spans = []  # (start, end, where)
        self.title_end = 0
        if title:
            self._add(title, "title")
            self.title_end = len(title)
        for label, text in _sections(abstract):
            if label is not None:
                self._add(text, _section_kind(label))
            else:
                self._add_unlabelled(text)
        lower = self.text.lower()
        if len(lower) != len(self.text):  # a rare character whose lower case is longer
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.text)
        self.lower = lower
        self.starts = [start for start, _, _ in self.spans]
        self.tokens = set(lower.encode("ascii", "replace").translate(_WORD_BYTES).decode().split())

    def _add(self, text, where):
        start = len(self.text)
        self.text += text + "\n"
        self.spans.append((start, start + len(text), where))

    def _add_unlabelled(self, text):
        # Its first sentence is mostly background and its last a conclusion.
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        if len(ends) < 2:
            self._add(text, "body")
            return
        start = len(self.text)
        self.text += text + "\n"
        self.spans += [(start, start + ends[0], "first"), (start + ends[0], start + ends[-1], "body"),
                       (start + ends[-1], start + len(text), "last")]

    def where(self, position):
        # Spans are in order and apart: the last that starts at or before it is the only candidate.
        index = bisect_right(self.starts, position) - 1
        if index >= 0 and position < self.spans[index][1]:
            return self.spans[index][2]
        return "other"

    def votes(self, rule_set, weights, design):
        """The best vote of each rule that matches; mentions of other work are left out."""
        lower, tokens, votes = self.lower, self.tokens, []
        by_word = rule_set.by_word
        numbers = sorted({n for word in rule_set.words & tokens for n in by_word[word]})
        # The strongest place this document has: once a rule has a vote there, its other
        # matches cannot beat it (most abstracts have no Methods label: "body" is their best).
        top = max(weights[where] for _, _, where in self.spans) if self.spans else 0.0
        for number in numbers:
            rule, regex, before, extend, needs, also, words, firsts = rule_set.compiled[number]
            if votes and _decided(votes[-1], design):
                break
            if also and also.isdisjoint(tokens):
                continue
            best_weight = max(top * _CUE_FACTOR[rule.cue], 2.0)
            if words:
                # In a fixed order: of equal matches the first found is shown, and a set's
                # order changes from one run of Python to the next.
                regexes = [_vocabulary_regex(rule.pattern, p) for first in sorted(firsts & tokens) for p in words[first]]
            else:
                regexes = regex
            end = self.title_end if rule.cue == "title" else len(lower)
            vote = None
            for match in _matches(regexes, lower, end):
                start = match.start()
                if start and _WORD_CHAR.match(lower, start - 1) and _WORD_CHAR.match(lower, start):
                    continue  # inside a word: "premice" is no "mice"
                where = self.where(start)
                weight = weights[where] * _CUE_FACTOR[rule.cue]
                if rule.cue == "states":
                    # "We report a case" is about this study even inside a Background section.
                    weight = max(weight, _CUE_FACTOR["states"])
                if vote is not None and weight <= vote.weight:
                    continue  # a rule's strongest match is all that counts
                context = lower[max(0, start - _CONTEXT):start]
                if before is not None:
                    required = before.search(context)
                    if required is None or _inside_word(context, required.start()):
                        continue
                    start -= len(required.group())
                elif extend is not None:
                    shown = extend.search(context)
                    if shown is not None:
                        start -= len(shown.group())
                if design:
                    # A statement is read from its verb, so that "will" in "we will describe a
                    # patient" is seen (a wish, not a report); a named design from its first
                    # word, so that "non-randomised" in "non-randomised trial" is not a negation.
                    read_from = match.start() if rule.cue == "states" else start
                    before_words = _sentence(lower[max(0, read_from - _WINDOW):read_from])
                    if _is_mention(lower, before_words, match, rule):
                        continue
                    if _in_passing(rule, where, before_words):
                        weight *= 0.75
                if not design and _subject_mention(lower, match, where):
                    continue
                vote = Vote(rule.code, rule.cue, weight, self.text[start:match.end()].strip(" ,"), where)
                if weight >= best_weight:
                    break
            if vote is not None:
                votes.append(vote)
        return votes


def _decided(vote, design):
    """A vote no later rule can overturn, so the rest need not run: a notice or reply in the
    title; people counted, aged or in the title (humans win beside animals and cells)."""
    if design:
        return vote.where == "title" and vote.code in ("notice", "reply") and vote.weight >= ENOUGH
    return vote.code == "humans" and vote.cue in ("strong", "states", "title") and vote.weight >= ENOUGH


def _matches(regexes, lower, end):
    """Every match, overlapping ones too: in "this report describes two patients" the match
    "report describes two patients" (its context fails) must not hide "describes two patients"."""
    for regex in regexes:
        match = regex.search(lower, 0, end)
        while match:
            yield match
            match = regex.search(lower, match.start() + 1, end)


def _inside_word(context, position):
    """"2 in patients" found in "PGD2 in patients" starts inside a word: no count of people."""
    return position > 0 and context[position - 1].isalnum() and context[position].isalnum()


def _sections(abstract):
    """[(label or None, text with its label)] from litref's "LABEL: text" paragraphs, or inline labels."""
    sections = []
    for paragraph in abstract.split("\n\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        found = _LABEL.match(paragraph)
        label = found.group(1) if found else None
        if label and (label.isupper() or _label_words_only(label)) and _section_kind(label) != "other":
            if ": " in paragraph[found.end():]:  # it may still run several labels together
                sections.extend(_inline_sections(paragraph, label, found.end()))
            else:
                sections.append((label, paragraph))
        elif ": " in paragraph:  # labels run into the text come with colons (one may end in ".")
            sections.extend(_inline_sections(paragraph))
        else:
            sections.append((None, paragraph))
    return sections


@lru_cache(maxsize=1024)
def _label_words_only(label):
    return set(re.split(r"[ /&,]+", label.lower())) <= _LABEL_WORDS


def _inline_sections(paragraph, label=None, after_label=0):
    """Split at labels run into the text ("Background: ... Methods. ..."): two are needed
    in an unlabelled paragraph (one "Patients were divided into two groups:" is no label)."""
    first = None if label else _FIRST_LABEL.match(paragraph)
    labels = [m for m in ([first] if first else []) + list(_INLINE_LABEL.finditer(paragraph, after_label))
              if _label_words_only(m.group(1))]
    if len(labels) < (1 if label else 2):
        return [(label, paragraph)]
    head = paragraph[:labels[0].start(1)]
    sections = [(label, head)] if head.strip() else []
    for this, following in zip(labels, labels[1:] + [None]):
        end = following.start(1) if following else len(paragraph)
        sections.append((this.group(1), paragraph[this.start(1):end]))
    return sections


@lru_cache(maxsize=1024)
def _section_kind(label):
    label = label.lower()
    for kind, pattern in _SECTION_KINDS:
        if pattern.search(label):
            return kind
    return "other"


def _sentence(context):
    """The end of ``context`` that is in the same sentence as what follows it."""
    cut = max(context.rfind(". "), context.rfind("; "), context.rfind("? "), context.rfind(": "),
              context.rfind("\n"))
    return context[cut + 1:] if cut >= 0 else context


def _is_mention(lower, before, match, rule):
    """True when a design phrase is about other work, negated, or wished for."""
    if rule.code == "case-report":
        # Case reports are not cited as other work in these words, but "the diagnosis of a
        # case of..." has the "of" that marks other work elsewhere: only negations count.
        return bool(_DENIED_BEFORE.search(before)) or (rule.cue == "names" and _away_after(lower, match.end()))
    tied = _SELF_BEFORE.search(before)
    if tied:
        # "this trial", "a secondary analysis of a randomised trial": about this study,
        # unless negated or wished for after the tying words ("this is not a trial").
        return bool(_DENIED_BEFORE.search(before[tied.start():]))
    # A statement ("were randomly assigned") is denied only by a negation or a wish;
    # a named design also by words pointing at other work.
    if (_AWAY_BEFORE if rule.cue != "states" else _DENIED_BEFORE).search(before):
        return True
    if rule.cue == "names" and _PLURAL_DESIGN.search(match.group()):
        return True
    return rule.cue == "names" and _away_after(lower, match.end())


def _away_after(lower, end):
    """Words after a phrase, within its sentence, that make it someone else's ("... showed")."""
    stop = lower.find("\n", end, end + _WINDOW)
    full_stop = lower.find(". ", end, end + _WINDOW)
    if full_stop >= 0 and (stop < 0 or full_stop < stop):
        stop = full_stop
    return bool(_AWAY_AFTER.match(lower, end, stop if stop >= 0 else end + _WINDOW))


def _in_passing(rule, where, before):
    """A trial named outside the title and Methods and not tied to this study ("was evaluated
    in a phase III trial"): reviews describe other people's trials in just these words."""
    return (rule.code in ("rct", "clinical-trial") and rule.cue == "names"
            and where not in ("title", "methods", "case") and not _SELF_BEFORE.search(before))


def _subject_mention(lower, match, where):
    """Subjects named only as a wish or a comparison ("trials in humans are needed")."""
    return where in ("conclusions", "last", "background", "first") and _away_after(lower, match.end())


# ---------------------------------------------------------------------------
# Deciding.


def _best(votes, code):
    """The vote whose words to show: the title's if it has one, else the strongest."""
    chosen = None
    for vote in votes:
        if vote.code == code and (chosen is None or _shown_first(vote) > _shown_first(chosen)):
            chosen = vote
    return chosen


def _shown_first(vote):
    return (vote.where == "title", vote.weight)


def _design(votes, subjects):
    """The design the title states (narrowed by the abstract), else the strongest with enough weight."""
    if subjects in ("animals", "in-vitro"):
        # Randomising animals or dishes makes an experiment, not a clinical trial:
        # only a trial named as such ("randomised controlled trial in dogs") counts.
        votes = [v for v in votes if not (v.code in ("rct", "clinical-trial") and not _names_trial(v.words))]
    votes = [v for v in votes if v.weight >= ENOUGH]
    codes = {v.code for v in votes}
    in_title = {v.code for v in votes if v.where == "title"}
    if "notice" in in_title:
        return "notice", _best(votes, "notice").words
    if "reply" in in_title:
        # A reply or comment quotes another paper's title: its design words are not its own.
        return "opinion", _best(votes, "reply").words
    if "protocol" in codes:
        return "other", _best(votes, "protocol").words
    candidates = codes & DESIGN_RANK.keys()
    if not candidates:
        return "other", None
    stated = candidates & in_title
    if stated:
        code = min(stated, key=DESIGN_RANK.get)
        # A review is narrowed only by a design the abstract names ("systematic review"), not
        # by a literature search or PRISMA, which narrative and scoping reviews report too.
        narrower = {v.code for v in votes if v.where != "title" and v.code in _NARROWS.get(code, ())
                    and (code != "review" or v.cue == "names")}
        if code == "review" and any("narrative" in v.words.lower() for v in votes
                                    if v.where == "title" and v.code == "review"):
            narrower = set()  # a title that says "narrative review" is not narrowed by its methods
        if narrower:
            code = min(narrower, key=DESIGN_RANK.get)
    else:
        code = min(candidates, key=DESIGN_RANK.get)
    return code, _best(votes, code).words


def _names_trial(words):
    return bool(re.search(r"\b(?:trial|rct)\b", words.lower()))


def _subjects(votes):
    """Humans if people were studied (even beside animals), else animals, else cells only."""
    strong = {}
    for vote in votes:
        if vote.weight >= ENOUGH:
            strong.setdefault(vote.code, []).append(vote)
    all_animals = strong.get("animals", [])
    animals = [v for v in all_animals if v.words.lower() != "in vivo"]
    cells = strong.get("in-vitro", [])
    people = [v for v in strong.get("humans", []) if v.cue != "context"]
    if animals:
        # Beside animals, people must be counted, aged or consented (or in the title):
        # "relevant to patients" in an animal study names no human subjects.
        people = [v for v in people if v.cue in ("strong", "states", "title")]
    if people:
        return "humans", _best(people, "humans").words
    if animals:
        return "animals", _best(animals, "animals").words
    if cells:
        if all_animals:
            # "in vitro and in vivo" without a species: animals and cells; animals rank first.
            return "animals", _best(all_animals, "animals").words
        return "in-vitro", _best(cells, "in-vitro").words
    context = strong.get("humans", [])
    if context:
        return "humans", _best(context, "humans").words
    return "unknown", None


# ---------------------------------------------------------------------------
# For the database: the rules as table rows staff can read.


def text_rule_rows():
    """Rows of the ``text_grading_rules`` table, one per rule, in the order they are tried."""
    rows = []
    for kind, rules in (("design", DESIGN_RULES), ("subjects", SUBJECT_RULES)):
        for number, rule in enumerate(rules, start=1):
            rows.append({
                "kind": kind, "number": number, "code": rule.code, "cue": CUES[rule.cue],
                "description": rule.description, "needs": ", ".join(rule.needs) or None,
                "words": ", ".join(rule.words) or None, "pattern": rule.pattern,
                "before": rule.before or None, "extend": rule.extend or None,
            })
    return rows
