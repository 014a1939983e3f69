"""The value lists of SPEC §3: canonical code -> the labels that also mean it.

Plain data: the pipeline builds its matching (``pipeline.values.label_index``) from
these lists, so that schemas never import the pipeline.
"""

from __future__ import annotations

VALUE_LISTS: dict[str, dict[str, list[str]]] = {
    "boolean": {
        "true": ["Có", "x", "Y", "Yes", "1", "TRUE", "✓"],
        "false": ["Không", "N", "No", "0", "FALSE"],
    },
    "sex": {"male": ["Nam", "M"], "female": ["Nữ", "F"]},
    "cell_type": {
        "village": ["Thôn", "Bản", "Xóm", "Tổ dân phố", "Thôn, bản, tổ dân phố"],
        "agency": ["Cơ quan"],
        "public_service": ["Đơn vị sự nghiệp", "Trường học", "Trạm y tế"],
        "enterprise": ["Doanh nghiệp"],
        "armed_forces": ["Quân sự", "Quân đội", "Công an"],
        "other": ["Khác"],
    },
    "occupation": {
        "civil_servant": ["Cán bộ, công chức, viên chức", "Cán bộ", "Công chức", "Viên chức"],
        "armed_forces": ["Quân đội, Công an", "Quân đội", "Công an", "Lực lượng vũ trang"],
        "agriculture": ["Nông, lâm, ngư nghiệp", "Nông dân"],
        "worker": ["Công nhân"],
        "business": ["Doanh nghiệp", "Kinh doanh", "Tư nhân"],
        "student": ["Học sinh, sinh viên", "Học sinh", "Sinh viên"],
        "other": ["Khác"],
    },
    "education": {
        "lower_secondary": ["THCS", "Trung học cơ sở"],
        "upper_secondary": ["THPT", "Trung học phổ thông"],
        "vocational": ["Trung cấp"],
        "higher": ["Cao đẳng", "Đại học"],
        "postgraduate": ["Thạc sĩ", "Tiến sĩ", "Sau đại học"],
    },
    "referred_by": {
        "youth_union": ["Đoàn Thanh niên"],
        "women_union": ["Hội Phụ nữ"],
        "farmers_union": ["Hội Nông dân"],
        "veterans_association": ["Hội Cựu chiến binh"],
        "fatherland_front": ["Mặt trận Tổ quốc"],
        "trade_union": ["Công đoàn"],
        "none": ["Không"],
    },
    "meeting_rating": {
        "good": ["Tốt"],
        "fair": ["Khá"],
        "average": ["Trung bình", "TB"],
        "poor": ["Kém", "Yếu"],
    },
}

# What a blank cell means in a list, where SPEC gives it a meaning.
BLANK_MEANS: dict[str, str] = {"boolean": "false", "referred_by": "none"}
