print("shadowctl")
