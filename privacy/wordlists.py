"""Word lists behind the text rules: street words, places, common names and sign vocabulary.

All lower case. They are deliberately short and readable; a place or name missing here can
still be caught by a pattern (a postcode, a house number) or kept by a person's decision.
"""
from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(item.strip() for item in text.replace("\n", ",").split(",") if item.strip())


STREET_WORDS = _words("""
road, rd, street, st, lane, ln, avenue, ave, av, close, cl, drive, dr, way, place, pl, crescent, cres,
gardens, gdns, terrace, terr, court, ct, square, sq, grove, gr, hill, row, walk, mews, parade, boulevard,
blvd, highway, broadway, embankment, esplanade, promenade, quay, wharf, wynd, vennel, brae, rise, vale,
view, green, park, chase, croft, fold, gate, yard, cottages, villas, mansions, estate,
straße, strasse, str, weg, gasse, allee, platz, ring, damm, ufer, chaussee, rue, avenida, calle, via, viale,
corso, piazza, plaza, paseo, rua, straat, laan, gracht, plein, kade, dreef, steeg, vej, gade, gatan, gata
""")

# Street words that come before the street's name ("Rue de la Paix", "Via Roma", "Calle Mayor"), and those
# that stand on either side of it ("Avenue Foch", "Kingsley Avenue"). Every other street word follows the name.
STREET_PREFIXES = _words("rue, avenida, calle, via, viale, corso, piazza, plaza, paseo, rua")
STREET_WORDS_EITHER_SIDE = _words("avenue, boulevard, allee, place")

# Words of sentences, not of names: a street word after one of these ("please ring", "to the park") is an
# ordinary word of an instruction, not part of a street's name.
SENTENCE_WORDS = _words("""
please, kindly, and, or, but, then, to, the, a, an, be, been, being, let, in, into, on, at, by, for, of, with,
from, you, your, we, our, us, they, them, will, can, may, must, should, is, are, was, do, does, not, if,
when, also, just, here, there, now, this, that, these, those, it, its, me, my, i
""")

# A word ending like this is a street in German, Dutch or Scandinavian addresses (Hauptstraße, Kerkstraat).
STREET_SUFFIXES = (
    "straße", "strasse", "str", "weg", "gasse", "allee", "platz", "damm", "straat", "laan", "gracht",
    "plein", "kade", "vej", "gade", "gatan", "vägen", "veien",
)

PLACES = _words("""
london, birmingham, manchester, leeds, liverpool, sheffield, bristol, newcastle, nottingham, leicester,
coventry, bradford, hull, stoke, wolverhampton, derby, southampton, portsmouth, plymouth, reading, luton,
bolton, bournemouth, norwich, swindon, oxford, cambridge, york, exeter, gloucester, ipswich, brighton,
blackpool, preston, milton keynes, northampton, peterborough, sunderland, middlesbrough, huddersfield,
wakefield, doncaster, rotherham, oldham, rochdale, stockport, salford, wigan, warrington, chester,
lancaster, carlisle, durham, lincoln, worcester, hereford, shrewsbury, telford, stafford, walsall,
dudley, solihull, slough, watford, crawley, basingstoke, guildford, maidstone, canterbury, dover,
hastings, eastbourne, colchester, chelmsford, southend, harlow, stevenage, bedford, cheltenham, bath,
taunton, truro, poole, salisbury, winchester, croydon, hackney, islington, camden, lambeth, southwark,
brixton, peckham, lewisham, greenwich, tottenham, walthamstow, ealing, harrow, barnet, enfield, hounslow,
edinburgh, glasgow, aberdeen, dundee, inverness, stirling, perth, paisley, cardiff, swansea, newport,
wrexham, bangor, belfast, derry, londonderry, lisburn, newry, dublin, cork, limerick, galway,
berlin, hamburg, münchen, munich, köln, cologne, frankfurt, stuttgart, düsseldorf, leipzig, dresden,
hannover, bremen, nürnberg, wien, vienna, zürich, zurich, genève, geneva, bern, basel, paris, marseille,
lyon, toulouse, nice, nantes, strasbourg, bordeaux, lille, bruxelles, brussels, antwerpen, antwerp,
gent, amsterdam, rotterdam, den haag, utrecht, eindhoven, luxembourg, københavn, copenhagen, stockholm,
oslo, helsinki, madrid, barcelona, valencia, sevilla, lisboa, lisbon, porto, roma, rome, milano, milan,
napoli, torino, firenze, bologna, warszawa, warsaw, kraków, praha, prague, budapest, athens, athina
""")

FIRST_NAMES = _words("""
james, john, robert, michael, william, david, richard, joseph, thomas, charles, daniel, matthew, anthony,
mark, paul, steven, andrew, kenneth, joshua, kevin, brian, george, edward, peter, ian, alan, gary, simon,
stephen, neil, jack, harry, oliver, noah, leo, oscar, charlie, alfie, freddie, arthur, muhammad, mohammed,
ahmed, ali, omar, hassan, mary, patricia, jennifer, linda, elizabeth, barbara, susan, jessica, sarah,
karen, nancy, lisa, margaret, sandra, ashley, emily, donna, michelle, carol, amanda, melissa, deborah,
rebecca, laura, helen, emma, olivia, amelia, isla, ava, mia, sophie, sophia, grace, lily, chloe, ella,
jane, anne, ann, claire, julie, rachel, hannah, lucy, katie, kate, amy, fatima, aisha, zara, priya,
anna, maria, hans, peter, klaus, jürgen, stefan, andreas, sabine, petra, ursula, jean, pierre, marie,
sophie, luc, françois, jan, pieter, kees, sanne, giulia, marco, luca, francesca, carlos, juan, lucía,
""")

SURNAMES = _words("""
smith, jones, taylor, brown, williams, wilson, johnson, davies, davis, robinson, wright, thompson, evans,
walker, white, roberts, green, hall, wood, jackson, clarke, clark, patel, khan, lewis, james, phillips,
mason, mitchell, rose, davis, rodriguez, cox, alexander, morgan, moore, martin, harris, cooper, ward,
morris, king, baker, hughes, edwards, turner, hill, scott, young, allen, campbell, anderson, murphy,
kelly, o'brien, walsh, byrne, ryan, singh, kaur, ahmed, hussain, begum, ali, shah, müller, mueller,
schmidt, schneider, fischer, weber, meyer, wagner, becker, schulz, hoffmann, martin, bernard, dubois,
thomas, robert, richard, petit, durand, leroy, moreau, de jong, jansen, de vries, van dijk, bakker,
visser, rossi, russo, ferrari, esposito, garcía, garcia, fernández, lópez, gonzález, nowak, kowalski
""")

# Words of safety signs, escape plans and notices: text made only of these stays legible.
PLAIN_WORDS = _words("""
fire, exit, emergency, escape, route, plan, evacuation, assembly, point, muster, no, smoking, vaping,
push, pull, bar, to, open, close, closed, keep, shut, clear, door, doors, stairs, stair, stairway, lift,
lifts, elevator, kitchen, toilet, toilets, wc, bathroom, shower, laundry, office, reception, lounge,
living, room, bedroom, bed, dining, hall, hallway, corridor, lobby, entrance, main, front, back, rear,
side, way, out, in, you, are, here, alarm, call, extinguisher, extinguishers, blanket, hose, reel,
first, aid, kit, defibrillator, aed, assembly, staff, only, private, visitors, visitor, please, sign,
report, ring, bell, knock, wait, queue, this, that, the, a, an, and, or, of, for, at, on, by, with,
not, do, use, used, case, break, glass, press, here, store, storage, cupboard, boiler, meter, plant,
floor, ground, basement, level, upper, lower, north, south, east, west, left, right, up, down, step,
steps, mind, caution, danger, warning, hazard, wet, slippery, high, voltage, electrical, gas, water,
hot, cold, drinking, not, drinkable, cctv, operation, in, area, zone, car, park, parking, bicycle,
bikes, deliveries, delivery, post, goods, disabled, accessible, refuge, safe, space, break, out,
garden, playroom, play, children, child, nursery, laundry, utility, meeting, interview, counselling,
quiet, family, families, room, rooms, ward, welcome, hello, thank, thanks, ladies, gents, men, women,
baby, changing, unisex, gender, neutral, all, must, be, kept, at, times, is, it, if, when, alight,
leave, building, immediately, dial, call, point, location, activate, nearest, head, count, roll,
sprinkler, smoke, detector, heat, fire-exit, fireexit, nosmoking, escape-route, waste, recycling,
bin, bins, staffroom, managers, manager, admin, therapy, health, safety, policy, notice, board,
information, info, open, hours, monday, tuesday, wednesday, thursday, friday, saturday, sunday, from,
until, am, pm, closed, holiday, notice, cleaning, progress, maintenance, out, order, sorry,
notausgang, sortie, secours, uscita, sicurezza, salida, emergencia, nooduitgang, rauchen, verboten,
interdit, fumer, notruf, ausgang, eingang, entrée, küche, cuisine, treppe, escalier
""")

PLAIN_WORDS_LIST = sorted(PLAIN_WORDS)
