"""Generates the gRPC stubs (gen_stubs.py) when the package is built from a
tree that has none yet; everything else is in pyproject.toml."""

import pathlib
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent


class BuildWithStubs(build_py):
    def run(self):
        if not (HERE / "aigov_agent" / "_pb" / "aigov" / "v1" /
                "records_pb2.py").exists():
            sys.path.insert(0, str(HERE))
            import gen_stubs  # pylint: disable=import-outside-toplevel
            gen_stubs.main([])
        super().run()


setup(cmdclass={"build_py": BuildWithStubs})
