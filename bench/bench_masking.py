"""Masking personal data on long and hostile text: prints the time per input (no catastrophic
backtracking: time grows with the length). Run: .venv/bin/python bench/bench_masking.py"""

from __future__ import annotations

import time

from gongzhi.core.masking import mask_personal_data

CASES = {
    "digits and spaces, 40,000 chars": "1 " * 20000,
    "digits and dashes, 40,001 chars": "1-" * 20000 + "x",
    "address-like, 10,002 chars": "a@" + "b-" * 5000,
    "dots before @, 20,002 chars": "a." * 10000 + "@x",
    "full-width digits, 30,000 chars": "１" * 30000,
    "a resident's letter with numbers, 100 ×": (
        "电话 138 1234 5678，身份证 330106 19900101 123X，邮箱 zhang@example.com。" * 100
    ),
}


def main() -> None:
    for name, text in CASES.items():
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            mask_personal_data(text)
            runs.append(time.perf_counter() - started)
        runs.sort()
        print(
            f"{name:45s} min {runs[0] * 1000:8.1f} ms  median {runs[2] * 1000:8.1f} ms  max {runs[-1] * 1000:8.1f} ms"
        )


if __name__ == "__main__":
    main()
