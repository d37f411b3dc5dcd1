import type { CountryCode } from 'libphonenumber-js/max';
import type { BuiltinEntityType, Detector, EntityType } from '../types.js';
import { cardDetector } from './card.js';
import { credentialDetectors } from './credentials.js';
import { dateOfBirthDetector } from './dob.js';
import { driverLicenseDetector } from './driver-license.js';
import { emailDetector } from './email.js';
import { ibanDetector } from './iban.js';
import { ipDetector } from './ip.js';
import { passportDetector } from './passport.js';
import { personDetector } from './person.js';
import { defaultPhoneRegions, phoneDetector } from './phone.js';
import { ssnDetector } from './ssn.js';

export interface BuiltinDetectorOptions {
  /** Only these built-in types; default all. */
  types?: readonly EntityType[];
  /** Regions whose national phone formats are read; default US, GB, DE, FR, IN, BR, AU, CA. */
  phoneRegions?: readonly CountryCode[];
}

/**
 * Fresh instances of the built-in detectors, in `builtinEntityTypes` order.
 *
 * @example builtinDetectors({ types: ['EMAIL', 'PHONE'], phoneRegions: ['GB'] })
 */
export function builtinDetectors(options: BuiltinDetectorOptions = {}): Detector[] {
  const wanted = (type: BuiltinEntityType) => options.types === undefined || options.types.includes(type);
  const factories: [BuiltinEntityType, () => Detector][] = [
    ['EMAIL', emailDetector],
    ['PHONE', () => phoneDetector(options.phoneRegions ?? defaultPhoneRegions)],
    ['US_SSN', ssnDetector],
    ['CREDIT_CARD', cardDetector],
    ['IBAN', ibanDetector],
    ['IP_ADDRESS', ipDetector],
    ['DATE_OF_BIRTH', dateOfBirthDetector],
    ['US_PASSPORT', passportDetector],
    ['US_DRIVER_LICENSE', driverLicenseDetector],
  ];
  const detectors = factories.filter(([type]) => wanted(type)).map(([, create]) => create());
  detectors.push(...credentialDetectors().filter((detector) => wanted(detector.type as BuiltinEntityType)));
  if (wanted('PERSON')) detectors.push(personDetector());
  return detectors;
}
