"""English names derived from the Vietnamese ones (no database)."""

import pytest

from giamsat.orgunits.reference import english_name


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Thành phố Hà Nội", "Ha Noi City"),
        ("Tỉnh Đắk Lắk", "Dak Lak Province"),
        ("Xã Đắk Song", "Dak Song Commune"),
        ("Phường 12", "12 Ward"),
        ("Đặc khu Côn Đảo", "Con Dao Special Zone"),
    ],
)
def test_english_name(name, expected):
    assert english_name(name) == expected
