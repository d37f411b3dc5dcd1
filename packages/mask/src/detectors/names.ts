/**
 * The names the PERSON detector knows: common given names and surnames (romanised, ASCII), and the ones that are
 * also ordinary words, months or places. Each list is one string, split into a Set the first time it is needed.
 */

// US, UK and Irish, then continental European, Hispanic, Portuguese, Indian, Chinese, Japanese, Korean, Vietnamese,
// Arabic and Turkish, African, Russian and Greek given names.
const givenNamesText = `
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Donald
Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas
Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Raymond Jack Dennis Jerry
Tyler Aaron Adam Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry
Gerald Harold Sean Austin Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie
Alan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis Harry Oliver Liam Lucas Leo Oscar
Theo Freddie Archie Alfie Charlie Toby Max Hugo Finn Rory Callum Connor Declan Ciaran Niall Seamus Angus Hamish
Fergus Alistair Graham Ian Colin Neil Nigel Trevor Clive Derek Malcolm Stuart Gordon Duncan Simon Martin Adrian
Julian Marcus Dominic Sebastian Tristan Rupert Jasper Felix Rufus Ewan Jamie Kieran Owen Rhys Gareth Evan Elliot
Isaac Caleb Levi Wyatt Hunter Carter Grayson Landon Cameron Eli Jayden Aiden Xavier Ezra Miles Asher Colton Easton
Hudson Parker Silas Axel Kai Beau Bennett Emmett Everett Harrison Jude Lincoln Luca Micah Nolan Rowan Sawyer
Theodore Weston Bill Will Mark Grant Frank Ray Don Art Guy Dean Drew Chase Mike Tom Tony Steve Dave Jim Bob Joel Neil
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley
Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen
Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet
Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith
Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail
Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany
Charlotte Marie Kayla Alexis Lori Ava Mia Harper Amelia Ella Chloe Lily Zoe Nora Hazel Aria Scarlett Layla Penelope
Riley Ellie Stella Violet Aurora Lucy Audrey Claire Skylar Bella Leah Savannah Naomi Elena Caroline Maya Sadie Ruby
Ivy Eva Quinn Clara Eleanor Isla Freya Poppy Imogen Phoebe Florence Matilda Rosie Evie Millie Daisy Sienna Willow
Erin Niamh Siobhan Aoife Ciara Saoirse Orla Fiona Kirsty Gemma Leanne Stacey Tracey Joanne Hayley Zara Rose May
June April August Georgia Hope Joy Faith Dawn Eve Summer Holly Iris Pearl Sandy Sue Pat Jill Kate Jane Beth Meg
Hans Klaus Jurgen Wolfgang Dieter Stefan Uwe Lukas Jonas Leon Maximilian Elias Moritz Lena Lea Julia Sophie
Katharina Ursula Monika Petra Sabine Heike Birgit Pierre Jacques Michel Philippe Alain Nicolas Francois Christophe
Olivier Thierry Julien Antoine Mathieu Guillaume Camille Manon Amelie Celine Isabelle Nathalie Sylvie Valerie
Aurelie Giuseppe Giovanni Antonio Mario Luigi Francesco Alessandro Marco Matteo Lorenzo Davide Stefano Paolo Giulia
Francesca Chiara Valentina Alessia Federica Martina Silvia Roberta Simona Piotr Krzysztof Tomasz Pawel Michal Marcin
Katarzyna Agnieszka Malgorzata Joanna Ewa Magdalena Anders Lars Erik Nils Sven Johan Karl Bjorn Mikael Astrid
Ingrid Sigrid Karin Annika Daan Sem Bram Thijs Ruben Sanne Fleur Lotte Anouk Femke Joao Pedro Tiago Rui Ines
Beatriz Jose Juan Luis Carlos Jorge Miguel Alejandro Diego Fernando Javier Ricardo Manuel Francisco Rafael Sergio
Pablo Andres Eduardo Roberto Raul Hector Mateo Santiago Emilio Joaquin Ignacio Alvaro Gonzalo Guadalupe Carmen Rosa
Ana Lucia Isabel Sofia Valeria Camila Daniela Gabriela Mariana Paula Fernanda Alejandra Ximena Catalina Marisol
Larissa Leticia Bruna Thais
Yolanda Esperanza Dolores Pilar Consuelo Rocio Adriana Veronica Monica Claudia Lorena Aarav Vivaan Aditya Vihaan
Arjun Sai Reyansh Krishna Ishaan Shaurya Rahul Rohit Amit Sumit Vikram Sanjay Rajesh Suresh Ramesh Mahesh Ganesh
Dinesh Anil Sunil Vijay Ajay Ravi Arun Karthik Pradeep Deepak Manoj Naveen Praveen Srinivas Venkat Harish Nikhil
Ankit Gaurav Varun Siddharth Aniket Abhishek Akash Prakash Raj Priya Ananya Diya Aadhya Saanvi Anika Kavya Isha Neha
Pooja Anjali Sneha Shreya Divya Swati Kavita Sunita Anita Meera Lakshmi Deepika Aishwarya Nisha Ritu Rekha Geeta
Sushma Pallavi Shruti Aarti Preeti Asha Wei Chen Lin Jing Fang Min Ying Hui Yan Lei Jun Jie Hao Xin Ming Hong Ping Tao
Qiang Xiaoming Xiaohong Yifan Zihan Haoran Yuxuan Zhiwei Jiahui Meiling Xiuying Guiying Yanling Hiroshi Takashi Kenji
Satoshi Yuki Haruto Sota Yuto Ren Hina Yui Sakura Aoi Akiko Yoko Keiko Naoko Kenta Daiki Takumi Shota Minjun Seojun
Jiwoo Seoyeon Jimin Jisoo Hyun Sungmin Jiho Yuna Minji Minh Thanh Huong Linh Tuan Hung Dung Mohammed Muhammad
Mohamed Ahmed Ali Omar Hassan Hussein Ibrahim Youssef Khalid Mahmoud Mustafa Abdullah Tariq Karim Samir Nadia
Fatima Aisha Mariam Zainab Noor Yasmin Amina Leila Salma Huda Mehmet Emre Burak Elif Zeynep Ayse Kwame Kofi Chinedu
Emeka Oluwaseun Tunde Ngozi Chiamaka Amara Thabo Sipho Zanele Wanjiru Abebe Ivan Dmitri Sergei Alexei Vladimir
Nikolai Andrei Mikhail Olga Natalia Svetlana Tatiana Irina Ekaterina Anastasia Yulia Georgios Dimitrios Eleni
Morgan Harley Paris Sydney Dallas Chelsea Brooklyn Phoenix Jasmine Jade Carolina Devon
`;

// The same regions' most common surnames.
const surnamesText = `
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson
Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young
Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez
Wood Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell
Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero
Patterson Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas
Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice
Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Spencer Hawkins Arnold
Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane
Riley Andrews Alvarado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence
Sandoval Davies Clarke Wilkinson Lloyd Griffiths Kaur Singh Khan Hussain Begum Rahman Shah Mahmood Iqbal Akhtar
Walsh OBrien O'Brien Byrne OConnor O'Connor ONeill O'Neill Reilly Doyle McCarthy Gallagher Doherty Lynch Quinn
McLaughlin Connolly Daly Fitzgerald Brennan Burke Dunne Farrell Flynn Healy Kavanagh Keane Maguire Nolan MacDonald
Fraser MacKenzie Cameron Reid Paterson Douglas Sinclair Munro Muller Mueller Schneider Fischer Weber Becker Schulz
Hoffmann Schafer Koch Bauer Richter Klein Wolf Schroder Neumann Schwarz Zimmermann Braun Kruger Hofmann Hartmann
Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier Kohler Herrmann Walter Mayer Huber Kaiser Fuchs Lang
Scholz Moller Weiss Jung Hahn Vogel Friedrich Keller Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht
Schuster Ludwig Winter Kraus Schumacher Kramer Vogt Stein Sommer Gross Seidel Brandt Haas Schreiber Dietrich Ziegler
Kuhn Pohl Engel Horn Busch Bergmann Voigt Sauer Wolff Pfeiffer Bernard Dubois Petit Durand Leroy Moreau Laurent
Lefebvre Michel Bertrand Roux Vincent Fournier Morel Girard Andre Lefevre Mercier Dupont Lambert Bonnet Legrand
Garnier Faure Rousseau Blanc Guerin Roussel Perrin Morin Clement Gauthier Dumont Fontaine Chevalier Rossi Russo
Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti DeLuca Mancini Costa Giordano Rizzo
Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone Gentile Martinelli
Vitale Lombardo Coppola Alonso Navarro Dominguez Serrano Blanco Molina Suarez Ortega Delgado Rubio Marin Sanz
Iglesias Nunez Garrido Ferreira Pereira Oliveira Rodrigues Martins Sousa Fernandes Goncalves Gomes Lopes Marques
Alves Almeida Ribeiro Pinto Carvalho Teixeira Moreira Correia Mendes Nunes Soares Vieira Monteiro Cardoso Rocha
Coelho Cunha Pires Simoes Antunes Matos Fonseca Machado Araujo Barbosa Tavares Lourenco Figueiredo Azevedo Freitas
DeJong Jansen DeVries Bakker Janssen Visser Smit Meijer DeBoer Mulder DeGroot Hendriks Dekker Brouwer Dijkstra
Smits Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski Wozniak Dabrowski
Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Pawlowski Michalski Johansson Andersson Karlsson
Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Pettersson Jonsson Jensen Nielsen Pedersen Andersen
Christensen Larsen Sorensen Rasmussen Jorgensen Petersen Madsen Kristensen Olsen Thomsen Johansen Haugen Hagen
Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov Volkov Alekseev Lebedev
Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Ivanova Petrova Smirnova Sharma Kumar Gupta Mehta Joshi Desai
Reddy Rao Nair Iyer Menon Pillai Chopra Malhotra Kapoor Khanna Verma Agarwal Jain Bhatia Chatterjee Banerjee
Mukherjee Bose Ghosh Dutta Chakraborty Mishra Pandey Tiwari Dubey Yadav Chauhan Thakur Saxena Srivastava Trivedi
Kulkarni Deshpande Patil Jadhav Naidu Krishnan Subramanian Venkatesh Raman Hegde Shetty Gill Sandhu Dhillon Grewal
Sidhu Wang Zhang Liu Yang Huang Zhao Zhou Xu Zhu Guo Gao Lin Luo Zheng Liang Xie Tang Feng Deng Cao Peng Zeng Xiao
Tian Dong Yuan Pan Cai Jiang Cheng Su Ding Shen Yao Cui Zhong Tan Fan Wong Chan Leung Cheung Lau Chow Ng Yip Tsang
Tse Kwok Fung Choi Kang Cho Yoon Jang Lim Seo Kwon Hwang Ahn Yoo Jeon Sato Suzuki Takahashi Tanaka Watanabe Ito
Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki
Ikeda Hashimoto Ishikawa Ogawa Fujita Okada Goto Pham Hoang Phan Bui Ngo Duong Saleh Haddad Khalil Nasser Farah
Mansour Aziz Hamid Qureshi Siddiqui Chaudhry Malik Sheikh Mirza Rashid Yilmaz Kaya Demir Sahin Celik Yildiz
Yildirim Ozturk Aydin Ozdemir Arslan Dogan Kilic Cetin Okafor Okonkwo Adeyemi Balogun Mensah Boateng Owusu Asante
Osei Diallo Traore Kamara Mwangi Otieno Kariuki Banda Phiri Dlamini Nkosi Ndlovu Khumalo Mokoena Tesfaye
Papadopoulos Georgiou Nikolaidis Pappas Cohen Levy Levi Goldberg Friedman Katz Shapiro Rosenberg Stern Schwartz
Kaplan Rosen Bernstein Goldstein Greenberg Adler Horowitz Epstein Li Wu Sun Ma Hu He Yu Lu Le Vo Vu Ho Park Song
Moon Han Hong Ali Ahmed Hassan Ibrahim Abdullah
`;

// Names that are also ordinary words, months, places or parts of company names. A capitalised one is not taken
// as a person on its own shape: it needs a surname that is not on this list, or a cue such as "Dear".
const wordLikeNamesText = `
May June April August Will Grant Mark Bill Rose Georgia Hope Joy Grace Faith Chase Hunter Frank Jack Pat Sue Don Art
Ray Dawn Eve Summer Holly Iris Lily Daisy Ruby Pearl Amber Sandy Max Guy Miles Dean Drew Lane Paris Jordan Austin
Dallas Sydney Victoria Florence Charlotte Virginia Carolina Devon Lincoln Madison Chelsea Brooklyn Phoenix Savannah
Aurora Christian Morgan Harley Jasmine Jade Willow Poppy Violet Hazel Heather Skylar Harper Parker Mason Carter
Hudson Kelly Hong Long Young King White Green Black Brown Gray Stone Fox Wolf Hill Wood Woods Ford Price Hunt Bell
Hall Park Rice Mills Wells Cole West Reed Marshall Baker Cook Carpenter Gardner Walker Weaver Porter Turner Fisher
Miller Knight Berry Gross Klein Winter Sommer Jung Lange Lang Engel Horn Busch Roth Kaiser Koch Stein Fuchs Wolff
Bruno Costa Song Moon Sun Ma Hu Yu Lu Le Vo Vu Ho Li Han Ng Lim Sen Shah Cruz Leone Gallo Martini Marino Jun Min
Ying Ping Tao Yan Hui Ren Sai Raj Noor Joe Bob Tom Max Sky Summer Angel Sunny Earl Duke Major Justice Cash Dean
Santiago Diego Salvador Adelaide Houston Denver Aspen Kent Washington Jackson Sterling Brooks Banks Gates Bush Dale
Wade
`;

export interface NameSets {
  /** Given names, Title-cased as they appear in text. */
  readonly given: ReadonlySet<string>;
  /** Surnames, Title-cased as they appear in text. */
  readonly surnames: ReadonlySet<string>;
  /** Names that are also everyday words, months, places or company names. */
  readonly wordLike: ReadonlySet<string>;
}

let sets: NameSets | undefined;

/** The name sets, built on first use. */
export function nameSets(): NameSets {
  sets ??= {
    given: wordSet(givenNamesText),
    surnames: wordSet(surnamesText),
    wordLike: wordSet(wordLikeNamesText),
  };
  return sets;
}

function wordSet(text: string): ReadonlySet<string> {
  return new Set(text.split(/\s+/).filter((word) => word.length > 0));
}
