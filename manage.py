"""Haven's command line: python manage.py COMMAND … (see README)."""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from accounts.permissions import Principal
from errors import DatabaseUnavailable, HavenError

if TYPE_CHECKING:
    from services.instance import Haven

# Only what parsing the arguments needs is imported here: each command imports its own modules, so `--help`
# and a quick command do not pay for the database layer, the intake or the reports they do not use.
CLI = Principal.system("cli")


class CommandError(HavenError):
    pass


def terminal_safe(text: str, *, json_text: bool = False) -> str:
    """Text to print: control, format (bidirectional, zero-width) and line-separator characters written as
    escapes, so nothing a user typed can move the cursor, retitle the terminal or reorder what is shown.
    Line breaks and tabs stay. In JSON the escapes are JSON's own, so the document reads back the same."""
    def shown(found: re.Match) -> str:
        char = found.group()
        if unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"):
            return char
        if json_text:
            return f"\\u{ord(char):04x}"
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    return _NOT_PLAIN.sub(shown, text)


# Printable ASCII, line breaks and tabs are always safe; only the rest (rare) is looked up one by one.
_NOT_PLAIN = re.compile(r"[^\t\n\x20-\x7e]")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None


class _PrivacyFlag(argparse.Action):
    """--keep-detected / --allow-personal-data: each waits for the --reason that follows it."""

    def __call__(self, parser, namespace, values, option_string=None):
        reasons = dict(getattr(namespace, "privacy_reasons", None) or {})
        reasons.setdefault(self.dest, None)
        namespace.privacy_reasons = reasons
        namespace.privacy_last_flag = self.dest


class _PrivacyReason(argparse.Action):
    """--reason R gives the reason of the --keep-detected or --allow-personal-data just before it."""

    def __call__(self, parser, namespace, values, option_string=None):
        flag = getattr(namespace, "privacy_last_flag", None)
        if flag is None:
            parser.error("--reason belongs after --keep-detected or --allow-personal-data")
        namespace.privacy_reasons[flag] = values
        namespace.privacy_last_flag = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description="Haven's command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="create or migrate the database; idempotent")
    user = commands.add_parser("create-user", help="add a user and a membership")
    user.add_argument("name")
    user.add_argument("--role", choices=["manager", "reviewer", "board"])
    user.add_argument("--org", help="organisation slug; omitted means every organisation")
    user.add_argument("--admin", action="store_true")
    user.add_argument("--email")
    user.add_argument("--password-stdin", action="store_true", required=True)
    commands.add_parser("demo", help="load the demo organisation")
    importer = commands.add_parser("import", help="load bundles (.zip or folder), each all or nothing")
    importer.add_argument("bundles", nargs="+", type=Path)
    exporter = commands.add_parser("export", help="write the accreditation pack")
    exporter.add_argument("--org", required=True)
    exporter.add_argument("--out", required=True, type=Path)
    exporter.add_argument("--include-restricted", action="store_true")
    exporter.add_argument("--recipient", help="who the pack is for, printed in the watermark of every PDF and "
                                              "image in it (default: the account running this command)")
    score = commands.add_parser("score", help="print scores, readiness and gaps")
    which = score.add_mutually_exclusive_group(required=True)
    which.add_argument("--org")
    which.add_argument("--all", action="store_true")
    score.add_argument("--as-of", type=_date)
    score.add_argument("--json", action="store_true")
    ingest = commands.add_parser("ingest", help="run one file through the intake and link it")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--org", required=True)
    ingest.add_argument("--type", required=True)
    ingest.add_argument("--action", required=True, action="append")
    ingest.add_argument("--issued-on", type=_date)
    ingest.add_argument("--valid-until", type=_date)
    ingest.add_argument("--title", default="")
    ingest.add_argument("--classification", choices=["internal", "restricted"])
    ingest.add_argument("--keep-detected", action=_PrivacyFlag, nargs=0,
                        help="keep the faces and sensitive text the privacy scan finds legible (needs --reason R)")
    ingest.add_argument("--allow-personal-data", action=_PrivacyFlag, nargs=0,
                        help="store a document that looks like a victim's case file (needs --reason R)")
    ingest.add_argument("--reason", action=_PrivacyReason, metavar="R",
                        help="why: follows --keep-detected or --allow-personal-data (recorded in the audit log)")
    verify = commands.add_parser("verify", help="check files, orphans and the audit chain")
    verify.add_argument("--remove-orphans", action="store_true",
                        help="first delete stored files that no evidence refers to (left by an interrupted upload)")
    verify.add_argument("--orphan-age", type=int, default=60, metavar="MINUTES",
                        help="with --remove-orphans: only files stored at least this long ago (default 60)")
    trace = commands.add_parser("trace", help="who received the watermarked copy with this code, when, what")
    trace.add_argument("code")
    backup = commands.add_parser("backup", help="the whole instance to one file")
    backup.add_argument("--out", required=True, type=Path)
    restore = commands.add_parser("restore", help="a backup into an empty instance")
    restore.add_argument("file", type=Path)
    scan = commands.add_parser("privacy-scan", help="print the faces, locating text and personal data a file shows")
    scan.add_argument("file", type=Path)
    scan.add_argument("--json", action="store_true")
    return parser


def cmd_init(haven: Haven, args) -> None:
    from storage.audit import anchor_existing_log

    with haven.session() as session:
        anchored = anchor_existing_log(session)
    if anchored:
        print(anchored)
    print(f"Database ready; standards: {', '.join(sorted(_standards()))}.")


def _standards():
    from standards.loader import bundled_standards

    return bundled_standards()


def cmd_create_user(haven: Haven, args) -> None:
    from services.organisations import get_organisation
    from services.users import create_user

    password = sys.stdin.readline().rstrip("\n")
    with haven.session() as session:
        organisation_id = get_organisation(session, args.org).id if args.org else None
        create_user(session, CLI, username=args.name, password=password, role=args.role,
                    organisation_id=organisation_id, is_admin=args.admin, email=args.email)
    scope = f" in {args.org}" if args.org else (" in every organisation" if args.role else "")
    print(f"Created {args.name}{' (admin)' if args.admin else ''}{f' as {args.role}' if args.role else ''}{scope}.")


def cmd_demo(haven: Haven, args) -> None:
    from services.demo import load_demo

    print(load_demo(haven, CLI, today=date.today()).describe())


def cmd_import(haven: Haven, args) -> None:
    from bundles.importer import import_bundle
    from bundles.model import BundleError

    for path in args.bundles:
        try:
            slug = import_bundle(haven, CLI, path)
        except BundleError as error:
            raise CommandError(f"{path.name}: {error}") from error
        print(f"Imported {slug} from {path.name}.")


def cmd_export(haven: Haven, args) -> None:
    from bundles.exporter import export_bundle

    recipient = (args.recipient or "").strip() or _operator()
    out = export_bundle(haven, CLI, organisation_id=_organisation_id(haven, args.org), out=args.out,
                        include_restricted=args.include_restricted, recipient=recipient)
    print(f"Wrote {out}, watermarked for {recipient}.")


def _organisation_id(haven: Haven, slug: str) -> int:
    """The organisation a --org slug names, resolved once here: services take its id."""
    from services.organisations import get_organisation

    with haven.session() as session:
        return get_organisation(session, slug).id


def _operator() -> str:
    """The person running the command, as the operating system knows them."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "the operator"


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror or type(error).__name__})") from error


def cmd_trace(haven: Haven, args) -> None:
    from services.file_access import describe_trace, trace

    with haven.session() as session:
        found = trace(session, args.code)
        if found is None:
            raise CommandError(f"no copy was issued with the code '{args.code.strip()[:40]}'")
        print(describe_trace(session, found))


def cmd_score(haven: Haven, args) -> None:
    from services.organisations import get_organisation
    from services.scores import network_reports, score_organisation

    with haven.session() as session:
        if args.all:
            _print_reports(network_reports(session, CLI, as_of=args.as_of), as_json=args.json)
            return
        report = score_organisation(session, CLI, organisation_id=get_organisation(session, args.org).id,
                                    as_of=args.as_of)
    print(terminal_safe(json.dumps(report, ensure_ascii=False, indent=2), json_text=True) if args.json
          else terminal_safe(_score_text(report)))


def _print_reports(reports, *, as_json: bool) -> None:
    """Prints the reports as they come. As JSON: one list, each report encoded once, on a line of its own
    (the C encoder: the indenting one is pure Python and cost more than the scoring)."""
    write = sys.stdout.write
    if not as_json:
        for report in reports:
            write(terminal_safe(_score_text(report)) + "\n")
        return
    encode = json.JSONEncoder(ensure_ascii=False).encode
    separator = "[\n"
    for report in reports:
        write(separator + terminal_safe(encode(report), json_text=True))
        separator = ",\n"
    write("[]\n" if separator == "[\n" else "\n]\n")


def _score_text(report: dict) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value * 100:.0f}%"

    lines = [f"{report['organisation_name']} ({report['organisation']}) on {report['as_of']}: "
             f"{report['readiness'].replace('_', ' ')} — {report['readiness_reason']}",
             "  self-assessed {}, evidence complete {}, verified {}".format(
                 *(pct(report["scores"][k]) for k in ("self_assessment", "completeness", "verified")))]
    lines += [f"  [{gap['severity']}] {gap['message']}" for gap in report["gaps"]]
    return "\n".join(lines)


def cmd_ingest(haven: Haven, args) -> None:
    from evidence.privacy_policy import CaseFileRefused, PrivacyRefused
    from services.evidence import NewEvidence
    from services.uploads import upload_evidence

    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    organisation_id = _organisation_id(haven, args.org)
    details = NewEvidence(evidence_type=args.type, actions=tuple(args.action), issued_on=args.issued_on or date.today(),
                          title=args.title, valid_until=args.valid_until, classification=args.classification)
    try:
        evidence_id = upload_evidence(haven, CLI, organisation_id=organisation_id, details=details,
                                      data=_read_file(args.file), filename=args.file.name,
                                      privacy=_privacy_decision(args))
    except CaseFileRefused as error:
        raise CommandError(f"{args.file.name}: {error} (store it anyway: --allow-personal-data --reason R)") from error
    except PrivacyRefused as error:
        raise CommandError(f"{args.file.name}: {error}") from error
    with haven.session() as session:
        record = _privacy_of_latest(session, evidence_id)
    print(f"Stored {args.file.name} as evidence {evidence_id}, linked to {', '.join(args.action)}.")
    if record is not None:
        print(f"Privacy guard: {record.summary()}.")


def _privacy_decision(args):
    """The ingest's privacy choices from --keep-detected / --allow-personal-data and their reasons."""
    from evidence.privacy_policy import PrivacyDecision

    reasons = getattr(args, "privacy_reasons", None) or {}
    for flag, reason in reasons.items():
        if not (reason or "").strip():
            raise CommandError(f"--{flag.replace('_', '-')} needs a reason: --{flag.replace('_', '-')} --reason R")
    return PrivacyDecision(keep_detected_reason=reasons.get("keep_detected"),
                           allow_personal_data_reason=reasons.get("allow_personal_data"))


def _privacy_of_latest(session, evidence_id: int):
    from services.evidence import privacy_records
    from services.facts import latest_revisions

    revision = latest_revisions(session, [evidence_id])[evidence_id]
    return privacy_records(session, [revision.id]).get(revision.id)


def cmd_verify(haven: Haven, args) -> None:
    from datetime import timedelta

    from services.integrity import check_integrity, remove_orphans

    if args.remove_orphans:
        cleanup = remove_orphans(haven, CLI, older_than=timedelta(minutes=max(0, args.orphan_age)))
        print(f"Removed {len(cleanup.removed)} orphan file(s) stored more than {args.orphan_age} minutes ago.")
        if cleanup.kept_recent:
            print(f"Kept {len(cleanup.kept_recent)} younger orphan file(s): an upload may still be finishing.")
    report = check_integrity(haven, CLI)
    print(f"Checked {report.files_checked} files and {report.audit_entries} audit entries.")
    if not report.ok:
        for fault in report.faults:
            print(terminal_safe(fault))
        raise CommandError(f"verify found {len(report.faults)} fault(s)")


def cmd_backup(haven: Haven, args) -> None:
    from services.backups import write_backup

    summary = write_backup(haven, args.out)
    print(f"Wrote backup {args.out}: {summary.describe()}.")


def cmd_restore(haven: Haven, args) -> None:
    from services.backups import restore_backup

    summary = restore_backup(haven, args.file)
    print(f"Restored {args.file}: {summary.describe()}.")


def cmd_privacy_scan(args) -> None:
    """Runs without a database: the same intake and scan as an upload, nothing stored."""
    from config import get_settings
    from evidence.errors import IntakeError
    from privacy.files import scan_file
    from privacy.report import to_json, to_text

    if not args.file.is_file():
        raise CommandError(f"{args.file}: no such file")
    settings = get_settings()
    try:
        scan = scan_file(_read_file(args.file), args.file.name, max_bytes=settings.max_upload_bytes,
                         max_pixels=settings.max_image_pixels)
    except IntakeError as error:
        raise CommandError(f"{args.file.name}: {error}") from error
    print(json.dumps(to_json(scan), ensure_ascii=False) if args.json else to_text(scan))


def open_instance(**options) -> Haven:
    """services.instance.open_instance, imported when a command needs the database (not for --help)."""
    from services.instance import open_instance as opened

    return opened(**options)


COMMANDS_WITHOUT_DATABASE = {"privacy-scan": cmd_privacy_scan}
COMMANDS = {
    "init": cmd_init, "create-user": cmd_create_user, "demo": cmd_demo, "import": cmd_import, "export": cmd_export,
    "score": cmd_score, "ingest": cmd_ingest, "verify": cmd_verify, "backup": cmd_backup, "restore": cmd_restore,
    "trace": cmd_trace,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in COMMANDS_WITHOUT_DATABASE:
            COMMANDS_WITHOUT_DATABASE[args.command](args)
            return 0
        haven = open_instance(migrate_schema=True)
        COMMANDS[args.command](haven, args)
    except DatabaseUnavailable as error:
        print(terminal_safe(f"error: {error.user_message}"), file=sys.stderr)
        return 2
    except HavenError as error:  # only Haven's refusals: anything else is a bug and shows as one
        print(terminal_safe(f"error: {error.user_message}"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
