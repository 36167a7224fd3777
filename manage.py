#!/usr/bin/env python
import sys

from backcourse.manage import main

if __name__ == "__main__":
    sys.exit(main())
