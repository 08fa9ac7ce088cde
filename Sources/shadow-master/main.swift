print("shadow-master")
