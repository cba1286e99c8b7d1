# (fragment; see Makefile.am)
