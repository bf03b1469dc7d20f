"""The devices layer: small interfaces, real drivers, protocol-speaking simulators. No Kivy here."""
