import ShadowCore
