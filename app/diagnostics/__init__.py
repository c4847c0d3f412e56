"""Self-test of an installed Cryptobot: each check proves one part of the install works.

``cryptobot self-test`` runs them (also from the frozen bundle): the bundled resources, database
migrations, the keyring backend, a short backtest on the bundled demo candles, the engine booting
in offline paper mode and the main window showing offscreen.
"""
