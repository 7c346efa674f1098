/**
 * Service names tcpdump prints for ports without `-n` (Debian's /etc/services, IANA names), mapped back
 * to numbers so that `localhost.http-alt` and `127.0.0.1.8080` are the same endpoint.
 */
const SERVICES: Record<string, number> = {
  tcpmux: 1, echo: 7, discard: 9, systat: 11, daytime: 13, netstat: 15, qotd: 17, chargen: 19,
  'ftp-data': 20, ftp: 21, ssh: 22, telnet: 23, smtp: 25, time: 37, whois: 43, nicname: 43, tacacs: 49,
  domain: 53, gopher: 70, finger: 79, http: 80, www: 80, kerberos: 88, 'iso-tsap': 102, pop3: 110,
  sunrpc: 111, auth: 113, ident: 113, nntp: 119, ntp: 123, epmap: 135, 'netbios-ns': 137, 'netbios-dgm': 138,
  'netbios-ssn': 139, imap2: 143, imap: 143, snmp: 161, xdmcp: 177, bgp: 179, irc: 194, smux: 199,
  ldap: 389, https: 443, 'microsoft-ds': 445, kpasswd: 464, urd: 465, submissions: 465, smtps: 465,
  exec: 512, login: 513, shell: 514, printer: 515, uucp: 540, afpovertcp: 548, rtsp: 554, nntps: 563,
  submission: 587, ipp: 631, ldaps: 636, ldp: 646, msdp: 639, rsync: 873, 'ftps-data': 989, ftps: 990,
  telnets: 992, imaps: 993, pop3s: 995, socks: 1080, openvpn: 1194, 'ms-sql-s': 1433, 'ms-sql-m': 1434,
  'ingreslock': 1524, pptp: 1723, radius: 1812, nfs: 2049, 'cvspserver': 2401, mysql: 3306,
  'ms-wbt-server': 3389, svn: 3690, 'commplex-main': 5000, 'commplex-link': 5001, 'sip': 5060,
  'sip-tls': 5061, xmpp: 5222, 'xmpp-client': 5222, 'xmpp-server': 5269, postgresql: 5432, amqp: 5672,
  rfb: 5900, x11: 6000, redis: 6379, 'ircd': 6667, openflow: 6653, bbs: 7000, 'afs3-callback': 7001,
  'http-alt': 8080, webcache: 8080, tproxy: 8081, 'rtsp-alt': 8554, git: 9418, webmin: 10000,
  zabbix: 10051, 'amanda': 10080, 'bgp-role': 179,
};

/** The port number a printed port stands for: digits as they are, known service names mapped. */
export function portNumber(text: string): number | undefined {
  if (text.length > 0 && text.length <= 5 && isDigits(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return SERVICES[text.toLowerCase()];
}

export function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
