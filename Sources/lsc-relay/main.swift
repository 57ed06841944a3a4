print("lsc-relay: not built yet")
