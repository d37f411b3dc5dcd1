import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Span } from '../types.js';
import { ipDetector } from './ip.js';

const detector = ipDetector();

function ips(text: string): string[] {
  const spans: Span[] = [];
  detector.detect(text, spans);
  return spans.map((span) => text.slice(span.start, span.end));
}

describe('IP_ADDRESS: IPv4', () => {
  it('finds dotted quads in prose, logs and URLs, scored 0.85', () => {
    const text = 'from 10.0.0.1, 192.168.1.254:8080 and http://203.0.113.9/x, net 0.0.0.0/0.';
    expect(ips(text)).toEqual(['10.0.0.1', '192.168.1.254', '203.0.113.9', '0.0.0.0']);
    const spans: Span[] = [];
    detector.detect('255.255.255.255', spans);
    expect(spans).toEqual([{ type: 'IP_ADDRESS', start: 0, end: 15, score: 0.85 }]);
  });

  it.each([
    ['an octet over 255', '256.1.1.1'],
    ['a leading zero', '01.2.3.4'],
    ['a leading zero later', '10.0.0.01'],
    ['three parts', '1.2.3'],
    ['a five-part version', '1.2.3.4.5'],
    ['a longer dotted run', '10.0.0.1.2'],
    ['a Windows build', '10.0.19045.2965'],
    ['a v-prefixed version', 'v1.2.3.4'],
    ['a version cue', 'version 1.2.3.4'],
    ['a build cue', 'build: 1.2.3.4'],
    ['a host name part', 'node.1.2.3.4'],
    ['a trailing label', '1.2.3.4.nip'],
    ['a letter after', '1.2.3.4a'],
    ['a version cue on the line before', 'firmware=\n1.2.3.4'],
  ])('refuses %s', (_, text) => {
    expect(ips(text)).toEqual([]);
  });
});

describe('IP_ADDRESS: IPv4 among other dotted numbers', () => {
  it('finds a quad after times and decimals, and after a word that merely ends in a cue', () => {
    expect(ips('at 2024-06-01T18:10:56.123Z (3.14 s) from 10.0.0.1')).toEqual(['10.0.0.1']);
    expect(ips('aversion 10.0.0.1, host\n10.0.0.2')).toEqual(['10.0.0.1', '10.0.0.2']);
  });
});

describe('IP_ADDRESS: IPv4 from the digit runs', () => {
  it('finds quads at either end of the text, next to each other and after a refused run', () => {
    expect(ips('1.2.3.4')).toEqual(['1.2.3.4']);
    expect(ips('1.2.3.4 5.6.7.8')).toEqual(['1.2.3.4', '5.6.7.8']);
    expect(ips('1.2.3.4.5 then 10.0.0.1')).toEqual(['10.0.0.1']);
    expect(ips('1.2.3.256.5.6.7.8 or 9.9.9.9')).toEqual(['9.9.9.9']);
  });

  it.each([
    ['a quad glued to the next by a dot', '10.0.0.1.10.0.0.2'],
    ['eight dotted runs', '1.2.3.4.5.6.7.8'],
    ['a doubled dot', '1.2..3.4'],
    ['a dot and a space', '1.2. 3.4'],
    ['a four-digit run', '1.2.3.2555'],
    ['a time before a decimal', '18:10:56.150 3.14'],
  ])('refuses %s', (_, text) => {
    expect(ips(text)).toEqual([]);
  });
});

describe('IP_ADDRESS: IPv6', () => {
  it.each([
    ['full', '2001:0db8:85a3:0000:0000:8a2e:0370:7334'],
    ['full without leading zeros', '2001:db8:85a3:0:0:8a2e:370:7334'],
    ['compressed', '2001:db8::1'],
    ['compressed in the middle', 'fe80::a1b2:3:4'],
    ['link-local with a zone', 'fe80::1%eth0'],
    ['embedded IPv4', '::ffff:192.168.1.1'],
    ['full with an embedded IPv4', '1:2:3:4:5:6:1.2.3.4'],
    ['upper case', '2001:DB8::8A2E:370:7334'],
  ])('finds the %s form', (_, address) => {
    expect(ips(`peer ${address} closed`)).toEqual([address]);
  });

  it('leaves brackets, a port and a full stop out', () => {
    expect(ips('[2001:db8::1]:443 and at:fe80::1.')).toEqual(['2001:db8::1', 'fe80::1']);
  });

  it.each([
    ['a time', '12:30:45'],
    ['a time with fractions', '06:42:52.088'],
    ['a MAC address', '00:1a:2b:3c:4d:5e'],
    ['an EUI-64 shape', '00:1a:2b:ff:fe:3c:4d:5e'],
    ['a C++ scope', 'std::vector<int>'],
    ['a hex scope', 'd::beef'],
    ['a slice', 'a[1::2]'],
    ['loopback', '::1'],
    ['the unspecified address', '::'],
    ['hex words', 'dead::beef'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['a triple colon', '2001:::1'],
  ])('refuses %s', (_, text) => {
    expect(ips(text)).toEqual([]);
  });
});

describe('IP_ADDRESS: the core passes', () => {
  it('finds an address wherever it falls among the blocks the colons are looked for in and tokens read in', () => {
    for (const address of ['fe80::1ff:fe23:4567:890a', '2001:db8::ff00:42:8329', '::ffff:192.0.2.1', '1.2.3.4']) {
      for (let pad = 0; pad <= 65; pad++) {
        const text = `${' '.repeat(pad)}${address}${' '.repeat(65 - pad)}`;
        expect(ips(text)).toEqual([address]);
        expect(ips(text.trimEnd())).toEqual([address]);
      }
    }
  });

  it('reads a token across blocks: its colons, a `::` split between two, and a long run before its first colon', () => {
    for (let pad = 0; pad <= 33; pad++) {
      const before = 'x'.repeat(pad);
      expect(ips(`${before} 2001:db8:85a3:0:0:8a2e:370:7334 `)).toEqual(['2001:db8:85a3:0:0:8a2e:370:7334']);
      expect(ips(`${before} 2001:db8::8a2e:370:7334 `)).toEqual(['2001:db8::8a2e:370:7334']);
      expect(ips(`${before} 12:30:45 1:2:3:4:5:6 `)).toEqual([]);
      expect(ips(`${before} ${'f'.repeat(40)}:2001:db8::1 `)).toEqual([]);
    }
  });

  it('treats units past ASCII as no digit, hex digit, dot or colon, whatever their low byte', () => {
    // U+0130 ends in the byte of `0`, U+012E in that of `.`, U+0139 in that of `9`, U+013A in that of `:`.
    expect(ips('\u01301.2.3.4\u0130')).toEqual(['1.2.3.4']);
    expect(ips('\u012e1.2.3.4\u012e5')).toEqual(['1.2.3.4']);
    expect(ips('1.2.3\u012e4')).toEqual([]);
    expect(ips('\u0130fe80::1ff:fe23:4567:890a\u0130')).toEqual(['fe80::1ff:fe23:4567:890a']);
    expect(ips('2001:db8::ff00:42:832\u0139')).toEqual(['2001:db8::ff00:42:832']);
    expect(ips('2001:db8::ff00:42\u013a8329')).toEqual(['2001:db8::ff00:42']);
    expect(ips('\ud800fe80::1ff:fe23:4567:890a\udc00')).toEqual(['fe80::1ff:fe23:4567:890a']);
  });

  it('refuses a token glued to a longer group, and bare colons', () => {
    expect(ips('12345678:2001:db8::8329')).toEqual([]);
    expect(ips('1:2:3:4:5:6:7:8')).toEqual(['1:2:3:4:5:6:7:8']);
    expect(ips(':')).toEqual([]);
    expect(ips('a:')).toEqual([]);
  });
});

describe('IP_ADDRESS: IPv6 read as node:net reads one', () => {
  // Each has a digit and a group of three or more, so only the reading decides; an IPv4 after the last colon is
  // found on its own when the whole is refused, so only findings with a colon are compared.
  it.each([
    '1234:2:3:4:5:6:7:8',
    '1234:2:3:4:5:6:7',
    '1234:2:3:4:5:6:7:8:9',
    '1234:2:3:4:5:6:7::',
    '1234::2:3:4:5:6:7',
    '1234::2:3:4:5:6:7:8',
    '::1234:2:3:4:5:6:7',
    '12345::1',
    '1234::1::2',
    '1234:::1',
    '::ffff:1.2.3.4',
    '::ffff:01.2.3.4',
    '::ffff:256.2.3.4',
    '::ffff:1.2.3.a',
    '1234:2:3:4:5:6:1.2.3.4',
    '1234:2:3:4:5:6::1.2.3.4',
    '1234:2:3:4:5::1.2.3.4',
    '::1234:2:3:4:5:1.2.3.4',
    '::1234:2:3:4:5:6:1.2.3.4',
    'fe80::1234%eth0',
    'fe80::1234%eth-0.1',
    'fe80::1234%eth_0',
  ])('%s', (address) => {
    const found = ips(`peer ${address} closed`).filter((ip) => ip.includes(':'));
    expect(found).toEqual(isIP(address) === 6 ? [address] : []);
  });
});
