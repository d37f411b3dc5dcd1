/**
 * The labelled corpus the masking benchmark scores detectors on, and the bulk files its throughput runs mask.
 *
 * Documents are written from templates of the text masking sees in practice — support tickets, CRM notes, log
 * lines, HR records, chat, email, code and config — with values of every entity type placed in them (exact spans
 * recorded as ground truth) and hard negatives mixed in with no label: Luhn-invalid 16-digit ids, unissuable SSNs,
 * IBANs with bad check digits, UUIDs, git SHAs, version strings, order and tracking numbers, timestamps, prices and
 * Stripe publishable keys. `ordinaryText` is business prose with no personal data at all, for false positives per
 * MB. Everything is drawn from a seeded source: one seed, one corpus, on every machine.
 */
import { open } from 'node:fs/promises';
import type { BuiltinEntityType } from '../../packages/mask/src/types.js';
import { SeededRandom } from '../seeded-random.js';
import * as values from './values.js';
import { type HardNegativeKind, hardNegatives } from './values.js';

export const defaultSeed = 20_240_611;

export const categories = ['support_ticket', 'crm_note', 'log_lines', 'hr_record', 'chat', 'email', 'config'] as const;
export type Category = (typeof categories)[number];

/** Ground truth: `text.slice(start, end)` is a value of `type`. */
export interface LabelledSpan {
  type: BuiltinEntityType;
  start: number;
  end: number;
}

/** Where a hard negative was placed (for checking the corpus; scoring never sees these as labels). */
export interface NegativeSpan {
  kind: HardNegativeKind;
  start: number;
  end: number;
}

export interface LabelledDocument {
  category: Category;
  text: string;
  spans: LabelledSpan[];
  negatives: NegativeSpan[];
}

const slots: Record<string, readonly string[]> = {
  product: [
    'Atlas',
    'Nimbus Pro',
    'the billing portal',
    'Ledger Sync',
    'the mobile app',
    'Insight Dashboard',
    'Relay API',
    'Pulse',
    'the data warehouse',
    'Beacon',
  ],
  team: [
    'Finance',
    'Customer Success',
    'Platform',
    'Legal',
    'Procurement',
    'Marketing',
    'Data Engineering',
    'Support Tier 2',
    'Security',
    'Payroll',
  ],
  company: [
    'Acme Corp',
    'Globex',
    'Initech',
    'Umbrella GmbH',
    'Soylent Ltd',
    'Stark Industries',
    'Wayne Enterprises',
    'Hooli',
    'Vandelay Imports',
    'Cyberdyne Systems',
  ],
  city: [
    'London',
    'Berlin',
    'Paris',
    'Mumbai',
    'São Paulo',
    'Sydney',
    'Toronto',
    'Austin',
    'Dublin',
    'Madrid',
    'Lyon',
    'Bangalore',
    'Victoria',
    'Jackson',
  ],
  weekday: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
  month: ['January', 'March', 'April', 'May', 'June', 'August', 'September', 'October', 'November', 'December'],
  quarter: ['Q1', 'Q2', 'Q3', 'Q4'],
  level: ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'],
  service: [
    'billing-api',
    'auth-service',
    'checkout',
    'ingest-worker',
    'notifier',
    'search',
    'gateway',
    'payroll-sync',
  ],
  path: [
    '/api/v1/orders',
    '/login',
    '/v2/payments',
    '/healthz',
    '/graphql',
    '/api/v1/customers',
    '/oauth/token',
    '/webhooks/stripe',
  ],
  method: ['GET', 'GET', 'POST', 'PUT', 'DELETE'],
  status: ['200', '200', '201', '204', '401', '403', '404', '429', '500', '502'],
  port: ['8080', '3000', '5432', '6379', '443', '9200'],
  priority: ['low', 'normal', 'high', 'urgent'],
  subject: [
    'Refund for duplicate charge',
    'Cannot log in',
    'Update billing details',
    'Question about my invoice',
    'Order not delivered',
    'Account locked',
    'Change of address',
    'Contract renewal',
    'Onboarding paperwork',
    'Security incident follow-up',
  ],
  title: [
    'Account Executive',
    'Support Engineer',
    'HR Business Partner',
    'Finance Manager',
    'Site Reliability Engineer',
    'Office Manager',
    'Head of Procurement',
  ],
  state: ['CA', 'NY', 'TX', 'FL', 'IL', 'WA', 'PA'],
  department: ['Engineering', 'Sales', 'Finance', 'Operations', 'People', 'Legal'],
  // Not a placeholder for a person: the word that starts a greeting.
  greeting: ['Hi team', 'Hello all', 'Good morning', 'Hi there', 'Dear colleagues'],
};

function slot(random: SeededRandom, name: string): string {
  switch (name) {
    case 'n':
      return String(random.int(2, 480));
    case 'pct':
      return String(random.int(1, 99));
    case 'ms':
      return String(random.int(1, 1900));
    case 'year':
      return String(random.int(2019, 2025));
    case 'hour':
      return `${random.int(8, 18)}:${random.pick(['00', '15', '30', '45'])}`;
    case 'date':
      return values.date(random, 2020, 2025);
    case 'clock':
      return `${String(random.int(0, 23)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}`;
    case 'ticket':
      return `SUP-${random.int(1000, 99999)}`;
    case 'employee':
      return `E${random.int(10000, 99999)}`;
    default: {
      const choices = slots[name];
      if (!choices) throw new Error(`unknown slot {@${name}}`);
      return random.pick(choices);
    }
  }
}

// --- templates: {TYPE} is a labelled value, {!kind} a hard negative, {@slot} unlabelled filler ---

/** Sentences that carry one value, in the prose of tickets, notes, chat and email. Cue words are part of the text. */
const entitySentences: Record<BuiltinEntityType, readonly string[]> = {
  EMAIL: [
    'Please reply to {EMAIL} with the signed form.',
    'The customer asked us to use {EMAIL} for all future invoices.',
    'CC {EMAIL} on the follow-up.',
    'Their billing contact changed to {EMAIL} last week.',
    'Login email on the account is {EMAIL}.',
    'Sent the quote to {EMAIL}, no answer yet.',
    'Bounce from <{EMAIL}>: mailbox full.',
  ],
  PHONE: [
    'Call back on {PHONE} after 3pm.',
    'Best number to reach her is {PHONE}.',
    'Mobile: {PHONE}',
    'He left a voicemail from {PHONE} about the delivery.',
    'Updated phone number to {PHONE} per the customer.',
    'Tel. {PHONE} (office hours only).',
    'WhatsApp him at {PHONE} if email fails.',
  ],
  US_SSN: [
    'SSN on file: {US_SSN}.',
    'Customer verified with social security number {US_SSN}.',
    'Tax form lists SSN {US_SSN} for the contractor.',
    'The W-9 shows {US_SSN} as the taxpayer id.',
    'Applicant SSN: {US_SSN}',
  ],
  CREDIT_CARD: [
    'Customer paid with card {CREDIT_CARD} and wants a refund.',
    'Card number {CREDIT_CARD} was declined twice.',
    'Please update the card on file to {CREDIT_CARD} exp 09/27.',
    'They read the full card number {CREDIT_CARD} over the phone, which we should not store.',
    'Chargeback opened on {CREDIT_CARD} for the {@month} order.',
  ],
  IBAN: [
    'Refund to IBAN {IBAN}.',
    'Please wire the deposit to {IBAN} (BIC DEUTDEFF).',
    'Supplier bank details changed: {IBAN}.',
    'Account: {IBAN}',
    'Direct debit mandate signed for {IBAN} on {@date}.',
  ],
  IP_ADDRESS: [
    'Login came from {IP_ADDRESS}, which is unusual for this customer.',
    'Blocked {IP_ADDRESS} after repeated failures.',
    'The VPN assigned {IP_ADDRESS} to her laptop.',
    'Requests from {IP_ADDRESS} hit the rate limit.',
    'Whitelist {IP_ADDRESS} for the {@company} integration.',
  ],
  DATE_OF_BIRTH: [
    'Date of birth: {DATE_OF_BIRTH}.',
    'DOB {DATE_OF_BIRTH}',
    'Born on {DATE_OF_BIRTH}, so eligible for the senior plan.',
    'Confirmed her birthdate ({DATE_OF_BIRTH}) before resetting the account.',
    'D.O.B.: {DATE_OF_BIRTH}',
    'Date of Birth - {DATE_OF_BIRTH}',
  ],
  US_PASSPORT: [
    'Passport number {US_PASSPORT} expires next year.',
    'US passport no. {US_PASSPORT} was scanned at check-in.',
    'Passport #: {US_PASSPORT}',
    'Traveler provided passport {US_PASSPORT} for the booking.',
  ],
  US_DRIVER_LICENSE: [
    "Driver's license: {@state} {US_DRIVER_LICENSE}",
    "Verified {@state} driver's license number {US_DRIVER_LICENSE} at the counter.",
    'DL# {US_DRIVER_LICENSE}',
    'Driver license no. {US_DRIVER_LICENSE} on file.',
  ],
  AWS_ACCESS_KEY: [
    'I accidentally pasted the access key {AWS_ACCESS_KEY} in the channel, rotating it now.',
    'Use {AWS_ACCESS_KEY} for the staging bucket until the role is ready.',
    'CloudTrail shows calls signed with {AWS_ACCESS_KEY} from an unknown host.',
  ],
  GITHUB_TOKEN: [
    'The deploy job uses token {GITHUB_TOKEN}, please revoke it.',
    'export GITHUB_TOKEN={GITHUB_TOKEN}',
    'Found {GITHUB_TOKEN} in the CI logs.',
  ],
  SLACK_TOKEN: [
    'Bot token {SLACK_TOKEN} is in the old wiki page.',
    'The alert bot posts with {SLACK_TOKEN}.',
    'Rotate {SLACK_TOKEN} before the audit.',
  ],
  STRIPE_KEY: [
    'Someone committed {STRIPE_KEY} to the repo.',
    'Stripe key {STRIPE_KEY} leaked in the logs.',
    'The live secret key is {STRIPE_KEY}, move it to the vault.',
  ],
  JWT: [
    'Here is the failing request token: {JWT}',
    'Authorization: Bearer {JWT}',
    'The session cookie was {JWT} when it broke.',
  ],
  PRIVATE_KEY: [
    'Key attached below, please keep it safe:\n{PRIVATE_KEY}\n',
    'Here is the deploy key:\n\n{PRIVATE_KEY}',
  ],
  SECRET: [
    'Temporary password: {SECRET}',
    'api_key: {SECRET}',
    'The DB password is {SECRET} until Friday.',
    'password={SECRET}',
    'Use client_secret {SECRET} for the sandbox app.',
  ],
  PERSON: [
    'Spoke with {PERSON} about the renewal.',
    '{PERSON} from procurement approved the order.',
    'Assigned to {PERSON}.',
    'Customer {PERSON} called about a billing error.',
    'Escalated by {PERSON} on behalf of the regional team.',
    'Contact: {PERSON}',
    'Meeting with {PERSON} and {PERSON} moved to {@weekday}.',
  ],
};

const negativeSentences: Record<HardNegativeKind, readonly string[]> = {
  luhnInvalidNumber: [
    'Internal reference {!luhnInvalidNumber} does not match any shipment.',
    'Batch id {!luhnInvalidNumber}',
  ],
  invalidSsn: ['Form id {!invalidSsn} was rejected by the portal.', 'Case number {!invalidSsn}'],
  badIban: ['The IBAN {!badIban} failed validation, asked the customer to re-check it.'],
  uuid: ['Request id {!uuid}', 'See trace {!uuid} for details.'],
  gitSha: ['Fixed in commit {!gitSha}.', 'Deployed build {!gitSha} to production.'],
  versionString: ['Upgraded the agent to {!versionString}.', 'The laptop runs Windows build {!versionString}.'],
  orderNumber: ['Order {!orderNumber} shipped on time.', 'Refund issued against {!orderNumber}.'],
  timestamp: ['Last sync at {!timestamp}.', 'Created {!timestamp}'],
  price: ['Total due {!price}.', 'The plan costs {!price} per seat.'],
  trackingNumber: ['Tracking number {!trackingNumber}.', 'Parcel {!trackingNumber} is held at customs.'],
  stripePublishableKey: ['The checkout page uses publishable key {!stripePublishableKey}.'],
};

/** Business prose with no personal data: capitalised words, numbers and dates, but nothing to mask. */
const proseSentences: readonly string[] = [
  'The {@team} team will review the {@product} roadmap on {@weekday}.',
  'Revenue for {@quarter} {@year} came in {@pct}% above plan.',
  'We shipped {@n} units from the {@city} warehouse last week.',
  '{@company} renewed their contract for another {@n} months.',
  'The migration to {@product} is on track for {@month}.',
  'Latency on {@path} dropped to {@ms} ms after the cache change.',
  'Please submit expense reports by the end of {@month}.',
  'Our {@city} office will be closed on {@weekday} for maintenance.',
  'Customer satisfaction rose to {@pct}% this quarter.',
  'The invoice was approved and payment is scheduled.',
  'Remember to rotate on-call shifts before the holidays.',
  '{@company} asked for a discount of {@pct}% on the annual plan.',
  'The new pricing tiers go live on {@date}.',
  'Standup moves to {@hour} starting next week.',
  'The {@team} backlog has {@n} open items, {@pct}% of them bugs.',
  'Training sessions are available in {@city} and online.',
  'Inventory levels for {@product} are below the reorder point.',
  'Legal is still reviewing clause {@n} of the master agreement.',
  'We expect {@n} attendees at the {@city} summit in {@month}.',
  'The outage lasted {@n} minutes and affected {@pct}% of requests.',
  'Support volume was {@n} tickets, down {@pct}% from last week.',
  '{@product} now supports single sign-on on enterprise plans.',
  'The board meeting is scheduled for {@weekday} at {@hour}.',
  'Shipping costs rose by {@pct}% because of fuel surcharges.',
  'All contractors must complete security training by {@month}.',
  'The {@team} team hired {@n} engineers this year.',
  'Feedback from the {@city} pilot was mostly positive.',
  'We deprecated the v1 endpoints of {@product}.',
  'Budget for {@quarter} is capped at {@n} thousand.',
  'Grace period ends in {@n} days, after which the account is suspended.',
  'Mark the ticket as resolved once the customer confirms.',
  'Will {@team} sign off on the budget before {@weekday}?',
  'May sales beat April by {@pct}% in the {@city} region.',
  'The {@department} offsite is booked for {@date}.',
  'Thanks for the quick turnaround on this.',
  'Let me know if anything else is needed.',
  'The customer is happy with the resolution.',
  'No further action required from our side.',
  'Apple Pay and Google Pay are both enabled at checkout.',
  'The Service Level Agreement guarantees 99.9% uptime.',
];

/** Log messages, each with one value or hard negative. */
const logMessages: readonly string[] = [
  '{@method} {@path} {@status} {@ms}ms client={IP_ADDRESS}',
  'connection from {IP_ADDRESS} closed after {@ms}ms',
  'rate limit exceeded for {IP_ADDRESS} on {@path}',
  'password reset requested for {EMAIL}',
  'sent invoice email to={EMAIL} order={!orderNumber}',
  'auth failed: token expired token={JWT}',
  'upstream request headers: Authorization: Bearer {JWT}',
  'using static credentials access_key_id={AWS_ACCESS_KEY}',
  'cloning https://x-access-token:{GITHUB_TOKEN}@github.com/acme/api.git',
  'posting alert to #ops with token {SLACK_TOKEN}',
  'stripe client initialised with key {STRIPE_KEY}',
  'db connect postgres://app@{IP_ADDRESS:url}:{@port}/main?password={SECRET}',
  'sms verification code sent to {PHONE}',
  'payment failed for card {CREDIT_CARD}: insufficient funds',
  'user {EMAIL} logged in from {IP_ADDRESS}',
  'request_id={!uuid} {@method} {@path} {@status}',
  'deployed revision {!gitSha} version={!versionString}',
  'job finished in {@ms}ms, processed {@n} records',
  'cache miss for key orders:{!uuid}',
  'shipment label created tracking={!trackingNumber}',
  'checkout session created with {!stripePublishableKey}',
  'health check ok ({@ms}ms)',
  'retrying in {@ms}ms (attempt {@pct})',
  'worker started pid={@n} version={!versionString}',
];

/** Config and code lines, grouped by format; each document takes a random subset of one format's lines. */
const configFormats: readonly (readonly string[])[] = [
  [
    '# {@service}: production settings, last edited {!timestamp}',
    'NODE_ENV=production',
    'PORT={@port}',
    'DATABASE_URL=postgres://app@{IP_ADDRESS:url}:5432/{@service}',
    'DATABASE_PASSWORD={SECRET}',
    'AWS_ACCESS_KEY_ID={AWS_ACCESS_KEY}',
    'AWS_SECRET_ACCESS_KEY={SECRET}',
    'STRIPE_SECRET_KEY={STRIPE_KEY}',
    'STRIPE_PUBLISHABLE_KEY={!stripePublishableKey}',
    'SLACK_BOT_TOKEN={SLACK_TOKEN}',
    'GITHUB_TOKEN={GITHUB_TOKEN}',
    'SENTRY_RELEASE={!gitSha}',
    'APP_VERSION={!versionString}',
    'ADMIN_EMAIL={EMAIL}',
    'LOG_LEVEL=info',
  ],
  [
    'service: {@service}',
    'version: {!versionString}',
    'database:',
    '  host: {IP_ADDRESS}',
    '  port: {@port}',
    '  user: app',
    '  password: {SECRET}',
    'aws:',
    '  region: eu-west-1',
    '  access_key_id: {AWS_ACCESS_KEY}',
    '  secret_access_key: {SECRET}',
    'notifications:',
    '  slack_token: {SLACK_TOKEN}',
    '  on_call: {EMAIL}',
    'tls:',
    '  private_key: |\n    {PRIVATE_KEY:yaml}',
  ],
  [
    '{',
    '  "type": "service_account",',
    '  "project_id": "{@service}-prod",',
    '  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/{@service}.iam.gserviceaccount.com",',
    '  "private_key": "{PRIVATE_KEY:json}\\n",',
    '  "client_email": "{EMAIL}",',
    '  "client_id": "1{@n}0{@n}",',
    '  "api_key": "{SECRET}"',
    '}',
  ],
  [
    "import Stripe from 'stripe';",
    "const stripe = new Stripe('{STRIPE_KEY}');",
    "const slack = new WebClient(process.env.SLACK_TOKEN ?? '{SLACK_TOKEN}');",
    'const headers = { Authorization: `Bearer {JWT}` };',
    'const API_KEY = "{SECRET}";',
    '// request {!uuid} reproduced the bug on {!versionString}',
    'await fetch(`https://{IP_ADDRESS:url}:{@port}{@path}`, { headers });',
    "const publishable = '{!stripePublishableKey}';",
  ],
  [
    '$ curl -H "Authorization: token {GITHUB_TOKEN}" https://api.github.com/user',
    '$ aws configure set aws_access_key_id {AWS_ACCESS_KEY}',
    '$ export PGPASSWORD={SECRET}',
    '$ ssh deploy@{IP_ADDRESS} -p 22',
    '$ git checkout {!gitSha}',
    '$ cat deploy_key\n{PRIVATE_KEY}',
  ],
];

type Weights = readonly (readonly [BuiltinEntityType, number])[];

const proseWeights: Record<'support_ticket' | 'crm_note' | 'hr_record' | 'chat' | 'email', Weights> = {
  support_ticket: [
    ['EMAIL', 3],
    ['PHONE', 3],
    ['CREDIT_CARD', 3],
    ['PERSON', 2],
    ['IP_ADDRESS', 1],
    ['IBAN', 1],
    ['DATE_OF_BIRTH', 1],
    ['US_SSN', 0.5],
  ],
  crm_note: [
    ['PERSON', 3],
    ['EMAIL', 3],
    ['PHONE', 3],
    ['IBAN', 2],
    ['CREDIT_CARD', 1],
  ],
  hr_record: [
    ['PERSON', 2],
    ['DATE_OF_BIRTH', 2],
    ['US_SSN', 2],
    ['US_PASSPORT', 2],
    ['US_DRIVER_LICENSE', 2],
    ['PHONE', 1],
    ['EMAIL', 1],
    ['IBAN', 1],
  ],
  chat: [
    ['PERSON', 1],
    ['EMAIL', 1],
    ['PHONE', 1],
    ['IP_ADDRESS', 1],
    ['AWS_ACCESS_KEY', 1],
    ['GITHUB_TOKEN', 1],
    ['SLACK_TOKEN', 1],
    ['STRIPE_KEY', 1],
    ['JWT', 1],
    ['SECRET', 1.5],
    ['PRIVATE_KEY', 0.3],
    ['CREDIT_CARD', 0.5],
  ],
  email: [
    ['PERSON', 2],
    ['EMAIL', 2],
    ['PHONE', 2],
    ['CREDIT_CARD', 1],
    ['IBAN', 1],
    ['US_SSN', 1],
    ['DATE_OF_BIRTH', 1],
    ['US_PASSPORT', 0.5],
    ['US_DRIVER_LICENSE', 0.5],
    ['SECRET', 0.5],
  ],
};

const placeholder = /\{([@!]?)([A-Za-z_]+)(?::([a-z]+))?\}/g;

/** Builds one document, recording where each labelled value and hard negative lands. */
class DocumentWriter {
  private text = '';
  private readonly spans: LabelledSpan[] = [];
  private readonly negatives: NegativeSpan[] = [];
  private lastPerson: string | undefined;
  private license: { state: string; number: string } | undefined;

  constructor(
    private readonly random: SeededRandom,
    private readonly category: Category,
  ) {}

  /** Appends a template, filling its placeholders. */
  write(template: string): void {
    // A licence number and the state named beside it agree (the state's format).
    this.license = template.includes('{US_DRIVER_LICENSE}') ? values.usDriverLicense(this.random) : undefined;
    let at = 0;
    for (const match of template.matchAll(placeholder)) {
      this.text += template.slice(at, match.index);
      at = match.index + match[0].length;
      const [, sigil, name = '', variant] = match;
      if (sigil === '@') this.text += name === 'state' && this.license ? this.license.state : slot(this.random, name);
      else if (sigil === '!') this.negative(name as HardNegativeKind);
      else this.entity(name as BuiltinEntityType, variant);
    }
    this.text += template.slice(at);
  }

  entity(type: BuiltinEntityType, variant?: string): void {
    const value = this.valueOf(type, variant);
    // In a URL an IPv6 address goes in brackets (RFC 3986); the brackets are not part of the address.
    const bracket = variant === 'url' && value.includes(':');
    if (bracket) this.text += '[';
    this.entityText(type, value);
    if (bracket) this.text += ']';
  }

  /** A labelled value whose text is already chosen (a chat speaker's name, repeated). */
  entityText(type: BuiltinEntityType, value: string): void {
    this.spans.push({ type, start: this.text.length, end: this.text.length + value.length });
    this.text += value;
  }

  negative(kind: HardNegativeKind): void {
    const generate = hardNegatives[kind];
    if (!generate) throw new Error(`unknown hard negative {!${kind}}`);
    const value = generate(this.random);
    this.negatives.push({ kind, start: this.text.length, end: this.text.length + value.length });
    this.text += value;
  }

  finish(): LabelledDocument {
    return { category: this.category, text: this.text, spans: this.spans, negatives: this.negatives };
  }

  private valueOf(type: BuiltinEntityType, variant: string | undefined): string {
    const r = this.random;
    switch (type) {
      case 'PERSON':
        this.lastPerson = values.personName(r);
        return this.lastPerson;
      case 'EMAIL':
        return values.email(r, this.lastPerson !== undefined && r.chance(0.6) ? this.lastPerson : undefined);
      case 'PHONE':
        return values.phone(r);
      case 'US_SSN':
        return values.ssn(r);
      case 'CREDIT_CARD':
        return values.creditCard(r);
      case 'IBAN':
        return values.iban(r);
      case 'IP_ADDRESS':
        return values.ipAddress(r);
      case 'DATE_OF_BIRTH':
        return values.dateOfBirth(r);
      case 'US_PASSPORT':
        return values.usPassport(r);
      case 'US_DRIVER_LICENSE':
        return (this.license ?? values.usDriverLicense(r)).number;
      case 'AWS_ACCESS_KEY':
        return values.awsAccessKey(r);
      case 'GITHUB_TOKEN':
        return values.githubToken(r);
      case 'SLACK_TOKEN':
        return values.slackToken(r);
      case 'STRIPE_KEY':
        return values.stripeSecretKey(r);
      case 'JWT':
        return values.jwt(r);
      case 'PRIVATE_KEY':
        return variant === 'json'
          ? values.privateKey(r, '\\n')
          : variant === 'yaml'
            ? values.privateKey(r, '\n', '    ')
            : values.privateKey(r);
      case 'SECRET':
        return values.secret(r);
    }
  }
}

const negativeKinds = Object.keys(negativeSentences) as HardNegativeKind[];

/** A body of `count` sentences: values of the category's types, hard negatives and plain prose. */
function writeProse(w: DocumentWriter, random: SeededRandom, weights: Weights, count: number, separator = ' '): void {
  for (let i = 0; i < count; i++) {
    if (i > 0) w.write(separator);
    const roll = random.next();
    if (roll < 0.4) w.write(random.pick(entitySentences[random.weighted(weights)]));
    else if (roll < 0.55) w.write(random.pick(negativeSentences[random.pick(negativeKinds)]));
    else w.write(random.pick(proseSentences));
  }
}

const writers: Record<Category, (w: DocumentWriter, random: SeededRandom) => void> = {
  support_ticket(w, r) {
    w.write('Ticket {@ticket} (priority: {@priority})\nRequester: {PERSON} <{EMAIL}>\nSubject: {@subject}\n\n');
    writeProse(w, r, proseWeights.support_ticket, r.int(4, 12));
    if (r.chance(0.5)) {
      w.write('\n\nAgent note: ');
      writeProse(w, r, proseWeights.support_ticket, r.int(1, 4));
    }
  },
  crm_note(w, r) {
    w.write('Account: {@company} ({@city})\nOwner: {PERSON}\nLast activity: {!timestamp}\n\n');
    writeProse(w, r, proseWeights.crm_note, r.int(4, 12));
  },
  log_lines(w, r) {
    const lines = r.int(6, 24);
    for (let i = 0; i < lines; i++) {
      w.write(`{!timestamp} {@level} [{@service}] ${r.pick(logMessages)}\n`);
    }
  },
  hr_record(w, r) {
    w.write('EMPLOYEE RECORD: CONFIDENTIAL\nName: {PERSON}\nEmployee ID: {@employee}\nDepartment: {@department}\n');
    const fields = [
      'Date of birth: {DATE_OF_BIRTH}\n',
      'SSN: {US_SSN}\n',
      'Home phone: {PHONE}\n',
      'Personal email: {EMAIL}\n',
      'Payroll IBAN: {IBAN}\n',
      'Passport number: {US_PASSPORT}\n',
      "Driver's license ({@state}): {US_DRIVER_LICENSE}\n",
      'Emergency contact: {PERSON}, {PHONE}\n',
      'Start date: {@date}\n',
    ];
    for (const field of fields) if (r.chance(0.6)) w.write(field);
    w.write('\nNotes: ');
    writeProse(w, r, proseWeights.hr_record, r.int(3, 9));
  },
  chat(w, r) {
    const people = [values.personName(r), values.personName(r), values.personName(r)];
    const messages = r.int(3, 10);
    for (let i = 0; i < messages; i++) {
      w.write('[{@clock}] ');
      const speaker = r.pick(people);
      // The speaker's name is a labelled PERSON each time it appears.
      w.entityText('PERSON', speaker);
      w.write(': ');
      writeProse(w, r, proseWeights.chat, r.int(1, 2));
      w.write('\n');
    }
  },
  email(w, r) {
    w.write('From: {PERSON} <{EMAIL}>\nTo: {EMAIL}\nSubject: {@subject}\n\n');
    w.write(r.pick(['{@greeting},\n\n', 'Dear {PERSON},\n\n', 'Hi {PERSON},\n\n']));
    writeProse(w, r, proseWeights.email, r.int(4, 12));
    w.write('\n\nBest regards,\n{PERSON}\n{@title}, {@company}\n');
    if (r.chance(0.6)) w.write('{PHONE}\n');
  },
  config(w, r) {
    const lines = r.pick(configFormats);
    const first = lines[0] ?? '';
    const json = first === '{';
    const chosen = lines.filter((_, i) => (json ? i === 0 || i === lines.length - 1 || r.chance(0.7) : r.chance(0.6)));
    if (json) {
      // Keep the JSON well-formed: no trailing comma before the closing brace.
      const body = chosen.slice(1, -1).map((line) => line.replace(/,$/, ''));
      w.write(`{\n${body.join(',\n')}\n}\n`);
      return;
    }
    for (const line of chosen.length > 0 ? chosen : [first]) w.write(`${line}\n`);
  },
};

/** One document of `category`, drawn from `random`. */
export function generateDocument(random: SeededRandom, category: Category = random.pick(categories)): LabelledDocument {
  const writer = new DocumentWriter(random, category);
  writers[category](writer, random);
  return writer.finish();
}

/** `count` labelled documents, the categories in equal measure, the same for the same seed. */
export function generateDocuments(count: number, seed = defaultSeed): LabelledDocument[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, (_, i) => generateDocument(random, categories[i % categories.length]));
}

/** Benign identifiers that ordinary business text is full of (no near-miss checksums). */
const benignKinds: readonly HardNegativeKind[] = [
  'uuid',
  'gitSha',
  'versionString',
  'orderNumber',
  'timestamp',
  'price',
  'trackingNumber',
];

/** About `bytes` (UTF-8) of business prose in paragraphs, with no personal data or secrets at all. */
export function ordinaryText(bytes: number, seed = defaultSeed + 1): string {
  const random = new SeededRandom(seed);
  const paragraphs: string[] = [];
  let size = 0;
  while (size < bytes) {
    const paragraph = new DocumentWriter(random, 'email');
    const sentences = random.int(3, 7);
    for (let i = 0; i < sentences; i++) {
      if (i > 0) paragraph.write(' ');
      if (random.chance(0.2)) paragraph.write(random.pick(negativeSentences[random.pick(benignKinds)]));
      else paragraph.write(random.pick(proseSentences));
    }
    const { text } = paragraph.finish();
    paragraphs.push(text);
    size += Buffer.byteLength(text) + 2;
  }
  return paragraphs.join('\n\n');
}

// --- bulk files for the throughput runs (unlabelled: only their size and mix matter) ---

function isoTime(random: SeededRandom): string {
  return new Date(Date.UTC(2023, 0, 1) + random.int(0, 700) * 86_400_000 + random.int(0, 86_399_999)).toISOString();
}

function sentence(random: SeededRandom): string {
  const writer = new DocumentWriter(random, 'chat');
  writeProse(writer, random, proseWeights.chat, 1);
  return writer.finish().text;
}

/** A customer record as one JSON line: nested objects, an events array, free-text notes full of mixed values. */
export function jsonlRecord(random: SeededRandom, id: number): string {
  const name = values.personName(random);
  const record = {
    id,
    created_at: isoTime(random),
    customer: {
      name,
      email: values.email(random, name),
      phone: values.phone(random),
      address: { city: slot(random, 'city'), postcode: random.digits(5) },
    },
    plan: random.pick(['free', 'team', 'business', 'enterprise']),
    amount_cents: random.int(0, 500_000),
    notes: generateDocument(random).text,
    events: Array.from({ length: random.int(1, 4) }, () => ({
      at: isoTime(random),
      type: random.pick(['login', 'payment', 'support', 'refund', 'export']),
      ip: values.ipAddress(random),
      detail: sentence(random),
    })),
    tags: random.chance(0.5) ? ['priority', slot(random, 'team').toLowerCase()] : [],
    agent_version: values.versionString(random),
  };
  return JSON.stringify(record);
}

/**
 * A record of a mixed event stream: one in four is a customer record as {@link jsonlRecord} writes it (full of
 * personal data); the rest are application events whose text is ordinary prose with ids, versions, timestamps,
 * amounts and paths — the numbers and shapes detectors must look at and leave alone.
 */
export function mixedJsonlRecord(random: SeededRandom, id: number): string {
  if (random.chance(0.25)) return jsonlRecord(random, id);
  const record = {
    id,
    ts: isoTime(random),
    level: random.pick(['info', 'info', 'info', 'warn', 'error']),
    service: random.pick(['checkout', 'billing', 'search', 'exports', 'auth-gateway', 'scheduler']),
    request_id: values.uuid(random),
    version: values.versionString(random),
    message: ordinaryText(random.int(120, 700), random.int(1, 1_000_000_000)),
    http: {
      method: random.pick(['GET', 'POST', 'PUT', 'DELETE']),
      path: `/api/v1/${random.pick(['orders', 'invoices', 'reports', 'items'])}/${random.digits(6)}`,
      status: random.pick([200, 200, 201, 204, 400, 404, 409, 500, 503]),
      duration_ms: random.int(1, 4_000),
    },
    order: values.orderNumber(random),
    commit: values.gitSha(random),
    amount: values.price(random),
    tags: random.chance(0.5) ? ['batch', random.pick(['eu', 'us', 'apac'])] : [],
  };
  return JSON.stringify(record);
}

/**
 * A long document, as a corpus prepared for model training or retrieval holds them: about 200 KB of text (tickets,
 * notes, chats, emails and logs from {@link generateDocument}, one after another) in one field beside a few short
 * ones. Each record is a large object to V8 at every copy, which costs several times more per character.
 */
export function longTextJsonlRecord(random: SeededRandom, id: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < 200_000) {
    const text = generateDocument(random).text;
    parts.push(text);
    length += text.length + 2;
  }
  return JSON.stringify({
    id,
    source: random.pick(['support', 'crm', 'mail', 'chat']),
    lang: 'en',
    text: parts.join('\n\n'),
  });
}

export const csvHeader = 'id,name,email,phone,ssn,card,iban,ip,notes';

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV row matching `csvHeader`; notes are quoted when they hold commas, quotes or line breaks. */
export function csvRow(random: SeededRandom, id: number): string {
  const name = values.personName(random);
  return [
    String(id),
    name,
    values.email(random, name),
    values.phone(random),
    values.ssn(random),
    values.creditCard(random),
    values.iban(random),
    values.ipAddress(random),
    generateDocument(random, random.pick(['support_ticket', 'crm_note', 'chat', 'email'] as const)).text,
  ]
    .map(csvField)
    .join(',');
}

/** JSON lines without end, the same for the same seed: customer records full of personal data. */
export function* jsonlLines(seed = defaultSeed + 2): Generator<string> {
  const random = new SeededRandom(seed);
  for (let id = 1; ; id++) yield jsonlRecord(random, id);
}

/** JSON lines of a mixed event stream without end ({@link mixedJsonlRecord}), the same for the same seed. */
export function* mixedJsonlLines(seed = defaultSeed + 4): Generator<string> {
  const random = new SeededRandom(seed);
  for (let id = 1; ; id++) yield mixedJsonlRecord(random, id);
}

/** JSON lines of long documents without end ({@link longTextJsonlRecord}), the same for the same seed. */
export function* longTextJsonlLines(seed = defaultSeed + 5): Generator<string> {
  const random = new SeededRandom(seed);
  for (let id = 1; ; id++) yield longTextJsonlRecord(random, id);
}

/** The CSV header, then rows without end, the same for the same seed. */
export function* csvLines(seed = defaultSeed + 3): Generator<string> {
  const random = new SeededRandom(seed);
  yield csvHeader;
  for (let id = 1; ; id++) yield csvRow(random, id);
}

/** Writes lines (each followed by '\n') until the file holds at least `targetBytes`; returns what it wrote. */
export async function writeCorpusFile(
  path: string,
  lines: Iterator<string>,
  targetBytes: number,
): Promise<{ bytes: number; lines: number }> {
  const file = await open(path, 'w');
  let bytes = 0;
  let count = 0;
  try {
    let batch: string[] = [];
    let batchBytes = 0;
    while (bytes < targetBytes) {
      const next = lines.next();
      if (next.done) break;
      const line = `${next.value}\n`;
      const size = Buffer.byteLength(line);
      batch.push(line);
      batchBytes += size;
      bytes += size;
      count += 1;
      if (batchBytes >= 1 << 20) {
        await file.write(batch.join(''));
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) await file.write(batch.join(''));
  } finally {
    await file.close();
  }
  return { bytes, lines: count };
}
