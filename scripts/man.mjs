// Generates dist/jdssc.1 from the CLI's own --help texts, so the man page never drifts from
// the program. Run after the bundle is built.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const jdssc = (args) => execFileSync(process.execPath, ['bin/jdssc', ...args], { encoding: 'utf8' });
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const esc = (t) =>
  t
    .replace(/\\/g, '\\e')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(/-/g, '\\-');

const top = jdssc(['--help']);
const nouns = [...top.matchAll(/^\s+jdssc (\w[\w-]*)\s{2,}/gm)].map((m) => m[1]).filter((n) => n !== 'completion');
const exitCodes = /Exit codes:\n([\s\S]*)$/.exec(top)?.[1] ?? '';

let out = `.TH JDSSC 1 "" "jdssc ${pkg.version}" "User Commands"
.SH NAME
jdssc \\- manage Open\\-E JovianDSS storage for Proxmox VE
.SH SYNOPSIS
.B jdssc
[\\fIglobal options\\fR] \\fInoun\\fR \\fIverb\\fR [\\fIoptions\\fR]
.SH DESCRIPTION
Volumes, snapshots and iSCSI targets on a JovianDSS array (REST API v4), and iSCSI sessions and
multipath devices on the Proxmox host. Every command prints one JSON document with \\fB\\-\\-json\\fR.
Secrets are never accepted on the command line; see \\fB\\-\\-password\\-file\\fR.
.SH GLOBAL OPTIONS
.nf
${esc(top.slice(top.indexOf('Connection:'), top.indexOf('Exit codes:')).trimEnd())}
.fi
`;
for (const noun of nouns) {
  const help = jdssc([noun, '--help']);
  const verbs = [...help.matchAll(/^\s+jdssc \S+ ([\w-]+)/gm)].map((m) => m[1]);
  out += `.SH ${noun.toUpperCase()}\n`;
  for (const verb of verbs) {
    const text = jdssc([noun, verb, '--help']);
    const body = text.slice(0, text.indexOf('Connection:')).trimEnd();
    const examples = text.includes('Examples:') ? text.slice(text.indexOf('Examples:')).trimEnd() : '';
    out += `.SS jdssc ${noun} ${verb}\n.nf\n${esc(body)}\n${examples ? `\n${esc(examples)}\n` : ''}.fi\n`;
  }
}
out += `.SH EXIT STATUS\n.nf\n${esc(exitCodes.trimEnd())}\n.fi\n.SH FILES\n.TP\n/etc/pve/priv/storage/<storage>.pw\nREST password and CHAP secret (mode 0600), written by the Proxmox plugin.\n.TP\n/run/jdssc\nState: remembered REST address, locks, records of LUNs active on this host.\n.SH SEE ALSO\n.BR iscsiadm (8),\n.BR multipath (8)\n`;
writeFileSync('dist/jdssc.1', out);
