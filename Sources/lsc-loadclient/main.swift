print("lsc-loadclient: not built yet")
