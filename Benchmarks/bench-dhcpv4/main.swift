print("bench-dhcpv4: not yet")
