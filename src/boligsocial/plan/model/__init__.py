"""The helhedsplan model: organisations, afdelinger, omraader, indsatsomraader, indicators, partners,
organisation and the corrections made to the source text.

The model is what a plan folder's `helhedsplan.toml` holds (see `docs/plan-folder.md`); the key
figures per afdeling live in a separate file the plan points to (`noegletal`). Field names are the
TOML keys, so they are Danish (ASCII): the file is edited by hand by Danish users.

Validation is split in two:

* **Structural errors** make the plan unusable and are raised as pydantic `ValidationError`s with
  Danish messages: wrong types, missing required fields, unknown keys, an indsatsomraade outside
  LBF's four, a period that ends before it starts, references to organisations, afdelinger or
  indsatsomraader that do not exist, duplicate names. Cross-reference errors are collected by
  `Helhedsplan.structural_problems()` (`validation.py`) and raised together as one error of type
  `PLAN_REFERENCE_ERROR` whose context carries every problem with its location.
* **Content issues** that a case officer would catch (a conditional afdeling with no condition
  stated, an indicator without a baseline, ...) do not stop loading; the model exposes them
  (e.g. `Helhedsplan.betingede_uden_betingelse`) and the application lint reports them.

Numbers are `Decimal`, never float: what the application says is stored exactly.

The parts live in modules by concept: `values` (value types, enumerations, the period), `areas`
(organisations, afdelinger, omraader, themes), `indicator` (values, baseline, target, milestones),
`organisation` (partners, fora, team), `budget`, `plan` (`Helhedsplan`) and `validation` (the
plan-level cross-reference check). Import the public names from here.
"""

from boligsocial.plan.indicators import Retning
from boligsocial.plan.model.areas import (
    Afdeling,
    AfdelingRef,
    Boligorganisation,
    Indsatsomraade,
    Omraade,
    Opmaerksomhedspunkt,
)
from boligsocial.plan.model.budget import Budget, Finansiering, Udgift
from boligsocial.plan.model.indicator import Baseline, Indikator, Maal, Maaling, Milepael, Sammenligning
from boligsocial.plan.model.organisation import Forum, LokaltTeam, Organisation, Partner, Stilling
from boligsocial.plan.model.plan import Helhedsplan, Plan, Rettelse
from boligsocial.plan.model.values import (
    INDSATSOMRAADER,
    PLAN_REFERENCE_ERROR,
    AfdelingStatus,
    Enhed,
    FinansieringKilde,
    ForumNiveau,
    Liste,
    Loc,
    Periode,
    RettelseArt,
    Tal,
)

__all__ = [
    "INDSATSOMRAADER",
    "PLAN_REFERENCE_ERROR",
    "Afdeling",
    "AfdelingRef",
    "AfdelingStatus",
    "Baseline",
    "Boligorganisation",
    "Budget",
    "Enhed",
    "Finansiering",
    "FinansieringKilde",
    "Forum",
    "ForumNiveau",
    "Helhedsplan",
    "Indikator",
    "Indsatsomraade",
    "Liste",
    "Loc",
    "LokaltTeam",
    "Maal",
    "Maaling",
    "Milepael",
    "Omraade",
    "Opmaerksomhedspunkt",
    "Organisation",
    "Partner",
    "Periode",
    "Plan",
    "Retning",
    "Rettelse",
    "RettelseArt",
    "Sammenligning",
    "Stilling",
    "Tal",
    "Udgift",
]
