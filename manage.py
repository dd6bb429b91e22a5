#!/usr/bin/env python
"""Django's manage.py, the same as the `gongzhi` command."""

import sys

from gongzhi.cli import main

if __name__ == "__main__":
    main(sys.argv)
