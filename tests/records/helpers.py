"""A filled-in record form as the browser would post it."""

from backcourse.measures.models import MuscleRegion


def form_data(**overrides) -> dict:
    data = {
        "version": "0",
        "m_pain_before": "7",
        "m_pain_after": "3",
        "m_stress_before": "6",
        "m_stress_after": "2",
        "m_fingertip_floor_before": "24.5",
        "m_fingertip_floor_after": "18",
        "m_cervical_rotation_left_before": "",
        "m_cervical_rotation_left_after": "",
        "m_cervical_rotation_right_before": "",
        "m_cervical_rotation_right_after": "",
        "techniques": ["effleurage", "petrissage"],
        "pressure": "2",
        "muscles_treated": ["trapezius_upper_l"],
        "duration_minutes": "50",
        "subjective": "Pain worse after desk work.",
        "objective": "Upper trapezius tender on the left.",
        "assessment": "Responds well to kneading.",
        "plan": "Next week, same focus.",
    }
    for region in MuscleRegion.objects.filter(is_active=True):
        data[f"tension_{region.code}"] = "0"
    data["tension_trapezius_upper_l"] = "2"
    data["tension_quadratus_lumborum_r"] = "3"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
