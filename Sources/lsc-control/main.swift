print("lsc-control: not built yet")
