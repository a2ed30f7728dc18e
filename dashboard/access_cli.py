"""CLI commands of the users file: ``add-user``, ``remove-user``, ``wall-link ...``."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from dashboard.auth import ACCOUNT_ROLES, AccessFile, AccessFileError
from dashboard.settings import Settings, env_name

COMMANDS = ("add-user", "remove-user", "wall-link")


def add_access_commands(commands: Any) -> None:
    """Add the access commands to the CLI's subparsers."""
    add = commands.add_parser("add-user", help="add a login (or set a new password)")
    add.add_argument("username")
    add.add_argument("--role", choices=ACCOUNT_ROLES, required=True)
    add.add_argument("--name", default="", help="full name shown in the navbar and reports")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    _file_option(add)
    remove = commands.add_parser("remove-user", help="remove a login (its sessions end at once)")
    remove.add_argument("username")
    _file_option(remove)
    link = commands.add_parser("wall-link", help="create, list or revoke wall-screen links")
    actions = link.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new read-only link for a wall screen")
    create.add_argument("--label", default="", help="where the screen is, e.g. 'Phòng điều hành'")
    create.add_argument("--base-url", default="", help="prefix of the printed link")
    _file_option(create)
    listing = actions.add_parser("list", help="the links and whether they are revoked")
    _file_option(listing)
    revoke = actions.add_parser("revoke", help="revoke a link: its screen is refused at once")
    revoke.add_argument("id")
    _file_option(revoke)


def _file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--file", type=Path, default=None, help="the users file (default: HOTLINE_USERS_FILE)"
    )


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise AccessFileError("the two passwords differ")
    return first


def run_access_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one access command; returns the exit status."""
    path = args.file or settings.users_file
    if path is None:
        print(f"error: set {env_name('users_file')} or pass --file", file=sys.stderr)
        return 2
    access = AccessFile(path)
    try:
        if args.command == "add-user":
            new = access.add_user(args.username, _password(args), args.role, args.name)
            print(
                f"{'added' if new else 'updated'} {args.username.lower()} ({args.role}) in {path}"
            )
        elif args.command == "remove-user":
            if not access.remove_user(args.username):
                print(f"error: no user {args.username}", file=sys.stderr)
                return 1
            print(f"removed {args.username}")
        elif args.action == "create":
            link, token = access.create_link(args.label)
            print(f"wall link {link.id} ({link.label or 'no label'}):")
            print(f"{args.base_url.rstrip('/')}/wall/{token}")
            print("Shown once: only its hash is kept. Add ?lang=en or ?theme=light if wanted.")
        elif args.action == "list":
            for link in access.read().links.values():
                state = f"revoked {link.revoked_at}" if link.revoked_at else "active"
                print(f"{link.id}\t{state}\t{link.created_at}\t{link.label}")
        elif args.action == "revoke":
            if not access.revoke_link(args.id):
                print(f"error: no active wall link {args.id}", file=sys.stderr)
                return 1
            print(f"revoked wall link {args.id}: its screen is refused on its next refresh")
    except AccessFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
