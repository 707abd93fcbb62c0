"""The robustness tests report how many generated inputs each target received."""


def pytest_terminal_summary(terminalreporter):
    from tests.robustness.hostile import TRIED

    if TRIED:
        terminalreporter.write_line("Generated inputs tried (both databases together): "
                                    + ", ".join(f"{target} {count}" for target, count in sorted(TRIED.items())))
