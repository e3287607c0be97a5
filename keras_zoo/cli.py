"""The `keras-zoo` command line."""

import argparse
import sys


def _list(args):
    import keras_zoo

    for name in keras_zoo.list_models(args.pattern):
        print(name)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="keras-zoo", description="keras_zoo model zoo.")
    commands = parser.add_subparsers(dest="command", required=True)
    list_parser = commands.add_parser("list", help="List the registered models.")
    list_parser.add_argument("pattern", nargs="?", help="shell-style filter, e.g. 'convnext_*'")
    list_parser.set_defaults(run=_list)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
