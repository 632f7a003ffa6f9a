import sys

from tools.grading.course import main

sys.exit(main())
