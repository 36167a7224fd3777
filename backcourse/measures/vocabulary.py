"""The shipped vocabularies: measures, back regions (with body-chart shapes), techniques.

Loaded by migration 0002 and by `vocabularies_load()` wherever a database was emptied
(tests that flush tables). Practices edit or extend the rows in the admin afterwards.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext_noop

MEASURES = [
    # code, name, short, kind, unit, min, max, step, lower_is_better, before, after, goal, order
    (
        "pain",
        "Pain (0–10 numeric rating)",
        "Pain",
        "rating",
        "",
        0,
        10,
        1,
        True,
        True,
        True,
        True,
        10,
    ),
    (
        "stress",
        "Stress (0–10 numeric rating)",
        "Stress",
        "rating",
        "",
        0,
        10,
        1,
        True,
        True,
        True,
        True,
        20,
    ),
    (
        "fingertip_floor",
        "Fingertip-to-floor distance",
        "Fingertip–floor",
        "rom",
        "cm",
        -30,
        60,
        0.5,
        True,
        True,
        True,
        True,
        30,
    ),
    (
        "cervical_rotation_left",
        "Cervical rotation, left",
        "Neck rot. L",
        "rom",
        "°",
        0,
        100,
        1,
        False,
        True,
        True,
        True,
        40,
    ),
    (
        "cervical_rotation_right",
        "Cervical rotation, right",
        "Neck rot. R",
        "rom",
        "°",
        0,
        100,
        1,
        False,
        True,
        True,
        True,
        50,
    ),
    (
        "tension_sum",
        "Muscle tension, sum over regions (palpation)",
        "Tension sum",
        "tension_sum",
        "",
        0,
        60,
        1,
        True,
        False,
        False,
        False,
        25,
    ),
]

# Left-side shapes in a 200×270 back chart seen from behind (the client's left is on
# the viewer's left); the right side is mirrored about x = 100.
LEFT_SHAPES = [
    ("erector_spinae_cervical", "Erector spinae, cervical", "M92,18 L99,18 L99,52 L90,52 Z"),
    ("levator_scapulae", "Levator scapulae", "M81,24 L88,24 L86,52 L75,56 Z"),
    ("trapezius_upper", "Trapezius, upper", "M88,55 L99,55 L99,63 L88,64 L48,80 L43,72 L74,58 Z"),
    ("trapezius_middle", "Trapezius, middle", "M86,67 L86,96 L58,100 L49,84 Z"),
    ("rhomboids", "Rhomboids", "M86,99 L86,132 L70,137 L63,103 Z"),
    ("trapezius_lower", "Trapezius, lower", "M86,135 L86,176 L76,160 L69,140 Z"),
    ("erector_spinae_thoracic", "Erector spinae, thoracic", "M89,67 L99,67 L99,188 L88,188 Z"),
    (
        "latissimus_dorsi",
        "Latissimus dorsi",
        "M60,104 L67,141 L79,167 L85,189 L59,204 L44,180 L42,128 L48,106 Z",
    ),
    ("erector_spinae_lumbar", "Erector spinae, lumbar", "M88,191 L99,191 L99,250 L86,250 Z"),
    ("quadratus_lumborum", "Quadratus lumborum", "M84,200 L84,247 L64,240 L62,212 Z"),
]

TECHNIQUES = [
    ("effleurage", "Stroking (effleurage)"),
    ("petrissage", "Kneading (petrissage)"),
    ("friction", "Rubbing (friction)"),
    ("sustained_pressure", "Sustained pressure"),
    ("stretching", "Stretching"),
]


def mirror(path: str) -> str:
    def flip(match):
        x, y = float(match.group(1)), match.group(2)
        return f"{200 - x:g},{y}"

    return re.sub(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)", flip, path)


def vocabularies_load(MeasureDefinition=None, MuscleRegion=None, Technique=None) -> None:  # noqa: N803
    """Create or update the shipped rows (idempotent). Migrations pass historical models."""
    if MeasureDefinition is None:
        from backcourse.measures import models

        MeasureDefinition, MuscleRegion, Technique = (  # noqa: N806
            models.MeasureDefinition,
            models.MuscleRegion,
            models.Technique,
        )
    for code, name, short, kind, unit, lo, hi, step, lower, before, after, goal, order in MEASURES:
        MeasureDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "unit": unit,
                "min_value": Decimal(str(lo)),
                "max_value": Decimal(str(hi)),
                "step": Decimal(str(step)),
                "lower_is_better": lower,
                "recorded_before": before,
                "recorded_after": after,
                "can_be_goal": goal,
                "order": order,
            },
        )
    order = 0
    for code, muscle, path in LEFT_SHAPES:
        for side, shape in (("L", path), ("R", mirror(path))):
            order += 1
            MuscleRegion.objects.update_or_create(
                code=f"{code}_{side.lower()}",
                defaults={"muscle": muscle, "side": side, "svg_path": shape, "order": order},
            )
    for order, (code, name) in enumerate(TECHNIQUES, start=1):
        Technique.objects.update_or_create(code=code, defaults={"name": name, "order": order})


# The shipped names are English msgids: makemessages collects them from this list and
# the models translate them on display (MeasureDefinition.label, MuscleRegion.muscle_label,
# str(Technique)). Names a practice types itself are shown as typed.
SHIPPED_NAMES = (
    gettext_noop("Pain (0–10 numeric rating)"),
    gettext_noop("Pain"),
    gettext_noop("Stress (0–10 numeric rating)"),
    gettext_noop("Stress"),
    gettext_noop("Fingertip-to-floor distance"),
    gettext_noop("Fingertip–floor"),
    gettext_noop("Cervical rotation, left"),
    gettext_noop("Neck rot. L"),
    gettext_noop("Cervical rotation, right"),
    gettext_noop("Neck rot. R"),
    gettext_noop("Muscle tension, sum over regions (palpation)"),
    gettext_noop("Tension sum"),
    gettext_noop("Erector spinae, cervical"),
    gettext_noop("Levator scapulae"),
    gettext_noop("Trapezius, upper"),
    gettext_noop("Trapezius, middle"),
    gettext_noop("Rhomboids"),
    gettext_noop("Trapezius, lower"),
    gettext_noop("Erector spinae, thoracic"),
    gettext_noop("Latissimus dorsi"),
    gettext_noop("Erector spinae, lumbar"),
    gettext_noop("Quadratus lumborum"),
    gettext_noop("Stroking (effleurage)"),
    gettext_noop("Kneading (petrissage)"),
    gettext_noop("Rubbing (friction)"),
    gettext_noop("Sustained pressure"),
    gettext_noop("Stretching"),
)
